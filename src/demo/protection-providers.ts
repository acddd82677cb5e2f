import { DevelopmentAttester, DevelopmentCaptcha, DevelopmentIssuer, type DataDirectory } from '../development.js';
import {
  approovVerifier,
  firebaseAppCheckVerifier,
  hcaptchaVerifier,
  recaptchaV3Verifier,
  turnstileVerifier,
  type AccessTokenIssuer,
  type AttestationVerifier,
  type CaptchaVerifier,
} from '../index.js';
import type { DemoConfig } from './config.js';

/** The audience of tokens from the development issuer. */
export const developmentAudience = 'graphql-rampart-demo';

/** Hooks the providers report to (key-set fetches, for metrics). */
export interface ProviderHooks {
  readonly clock?: (() => number) | undefined;
  readonly onKeySetFetch?: (ok: boolean) => void;
}

/**
 * The identity provider `@auth` trusts: the configured one (discovery or a JWKS URL), or the
 * development issuer at the demo's own origin (its key in `DATA_DIR`).
 */
export async function tokenIssuerFor(
  config: DemoConfig,
  directory: DataDirectory,
  origin: string,
  hooks: ProviderHooks,
): Promise<{ readonly issuer: AccessTokenIssuer; readonly development: DevelopmentIssuer | undefined }> {
  if (config.oidc === undefined) {
    const development = await DevelopmentIssuer.open(directory.developmentIssuer, { issuer: origin, audience: developmentAudience });
    return {
      development,
      issuer: {
        issuer: development.issuer,
        audience: development.audience,
        keys: { jwks: development.jwks() },
        algorithms: ['ES256'],
        tokenType: 'at+jwt',
      },
    };
  }
  const { oidc } = config;
  return {
    development: undefined,
    issuer: {
      issuer: oidc.issuer,
      audience: oidc.audience,
      keys: oidc.jwksUri ? { jwksUri: oidc.jwksUri } : { discovery: true },
      ...(oidc.algorithms ? { algorithms: oidc.algorithms } : {}),
      ...(oidc.tokenType ? { tokenType: oidc.tokenType } : {}),
      keySet: { onFetch: (outcome) => hooks.onKeySetFetch?.(outcome.ok) },
    },
  };
}

/** The attestation formats accepted: Approov, App Check, or the development attester. */
export function attestationVerifiersFor(config: DemoConfig, directory: DataDirectory, hooks: ProviderHooks): AttestationVerifier[] {
  const clock = hooks.clock ? { clock: hooks.clock } : {};
  const verifiers: AttestationVerifier[] = [];
  const { approovSecret, appCheck } = config.attestation;
  if (approovSecret !== undefined) verifiers.push(approovVerifier({ secret: approovSecret, ...clock }));
  if (appCheck !== undefined) {
    verifiers.push(
      firebaseAppCheckVerifier({
        projectNumber: appCheck.projectNumber,
        appIds: appCheck.appIds,
        ...(appCheck.jwksUri ? { jwksUri: appCheck.jwksUri } : {}),
        keySet: { onFetch: (outcome) => hooks.onKeySetFetch?.(outcome.ok) },
        ...clock,
      }),
    );
  }
  if (verifiers.length === 0) {
    verifiers.push(approovVerifier({ secret: DevelopmentAttester.open(directory.developmentAttester).secretBase64, ...clock }));
  }
  return verifiers;
}

/** The captcha provider, the hostnames its tokens may come from, and the default lowest score. */
export function captchaSettingsFor(
  config: DemoConfig,
  directory: DataDirectory,
  hooks: ProviderHooks,
): { readonly verifier: CaptchaVerifier; readonly hostnames: readonly string[]; readonly minScore: number | undefined } {
  const { captcha } = config;
  if (captcha === undefined) {
    return {
      verifier: DevelopmentCaptcha.open(directory.developmentCaptcha).verifier(hooks.clock),
      hostnames: ['localhost'],
      minScore: undefined,
    };
  }
  const common = { secret: captcha.secret, ...(captcha.verifyUrl ? { endpoint: captcha.verifyUrl } : {}) };
  const verifier =
    captcha.provider === 'recaptcha'
      ? recaptchaV3Verifier(common)
      : captcha.provider === 'hcaptcha'
        ? hcaptchaVerifier({ ...common, ...(captcha.sitekey ? { sitekey: captcha.sitekey } : {}) })
        : turnstileVerifier(common);
  return { verifier, hostnames: captcha.hostnames, minScore: captcha.minScore };
}
