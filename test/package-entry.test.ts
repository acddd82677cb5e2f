import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as development from '../src/development.js';
import * as apolloEntry from '../src/apollo.js';
import * as envelopEntry from '../src/envelop.js';
import * as trustedDocumentsEntry from '../src/trusted-documents.js';
import * as entry from '../src/index.js';

const sourceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/**
 * Every module an entry reaches through static imports, every bare package it imports, and those
 * of the packages it imports at run time (not `import type`).
 */
function reachableModules(start = 'index.ts'): { files: Set<string>; packages: Set<string>; runtimePackages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const runtimePackages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    // Comments (TSDoc examples) are not imports.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.')) {
        visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
        continue;
      }
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
      packages.add(name);
      if (!/^(?:import|export)\s+type\s/.test(match[0])) runtimePackages.add(name);
    }
  };
  visit(resolve(sourceRoot, start));
  return { files, packages, runtimePackages };
}

describe('the package entry', () => {
  it('reaches no demo or CLI code', () => {
    const outside = [...reachableModules().files].filter((file) => /[/\\]src[/\\](demo|cli)[/\\]/.test(file));
    expect(outside).toEqual([]);
  });

  it('imports only its own dependencies and peers, never Apollo Server or better-sqlite3', () => {
    const { packages } = reachableModules();
    const allowed = new Set(['graphql', '@graphql-tools/utils', 'jose', 'lru-cache', 'ms']);
    expect([...packages].filter((name) => !name.startsWith('node:') && !allowed.has(name))).toEqual([]);
  });

  it('has named exports only', () => {
    expect(Object.keys(entry)).not.toContain('default');
  });

  it('reaches no server adapter', () => {
    expect([...reachableModules().files].filter((file) => /[/\\]src[/\\]adapters[/\\]/.test(file))).toEqual([]);
  });
});

/** The type names an entry exports (`export type { … }`), which have no runtime trace. */
function exportedTypes(entryFile: string): string[] {
  const text = readFileSync(resolve(sourceRoot, entryFile), 'utf8');
  return [...text.matchAll(/export type \{([^}]+)\}/g)]
    .flatMap((match) => (match[1] ?? '').split(',').map((name) => name.trim()))
    .filter(Boolean)
    .sort();
}

// The reviewed lists. Growing an entry is a decision: add the name here, with the README.
const mainValues = [
  'ApiKeyInvalidError',
  'ApiKeyRequiredError',
  'AttestationInvalidError',
  'AttestationRejectedError',
  'AttestationRequiredError',
  'CaptchaFailedError',
  'CaptchaProviderUnavailableError',
  'CaptchaRequiredError',
  'FallbackRateLimitStore',
  'ForbiddenError',
  'MemoryCostBudgetStore',
  'RedisCostBudgetStore',
  'costDirective',
  'MemoryApiKeyStore',
  'MemoryBanStore',
  'MemoryRateLimitStore',
  'MemoryReplayCache',
  'PostgresApiKeyStore',
  'ProtectionUnavailableError',
  'RampartError',
  'RateLimitedError',
  'RedisBanStore',
  'RedisRateLimitStore',
  'RedisReplayCache',
  'SecurityContext',
  'SqliteApiKeyStore',
  'UnauthenticatedError',
  'UnprotectedRootFieldsError',
  'apiKeyPattern',
  'applyProtections',
  'approovVerifier',
  'authDirective',
  'captchaDirective',
  'createIpPolicy',
  'createUserAgentPolicy',
  'firebaseAppCheckVerifier',
  'fromFetchRequest',
  'fromNodeRequest',
  'getSecurityContext',
  'guardConnections',
  'InFlightLimit',
  'hcaptchaVerifier',
  'isRampartError',
  'issueApiKey',
  'operationLimitRules',
  'publicDirective',
  'rampartDirectiveTypeDefs',
  'rampartErrorCodes',
  'rateLimitDirective',
  'recaptchaV3Verifier',
  'requiresApiKeyDirective',
  'requiresAttestationDirective',
  'securityContextFactory',
  'turnstileVerifier',
];
const mainTypes = [
  'AccessTokenIssuer',
  'ApiKeyRecord',
  'ApiKeyStore',
  'ApplyProtectionsOptions',
  'AttestationVerifier',
  'AttestationWaiver',
  'AuthDirective',
  'AuthOptions',
  'BanStore',
  'BaseDirectiveOptions',
  'CaptchaOptions',
  'CostBudgetStore',
  'CostOptions',
  'CaptchaVerdict',
  'CaptchaVerifier',
  'DocumentDecisionEvent',
  'DpopOptions',
  'IncomingRequestFacts',
  'IssuerKeys',
  'OperationLimits',
  'ProtectionDecisionEvent',
  'ProtectionDirective',
  'ProtectionObserver',
  'ProvenApiKey',
  'ProvenAttestation',
  'ProvenCredentials',
  'ProvenUser',
  'PublicDirectiveOptions',
  'RampartErrorCode',
  'RequiresApiKeyDirective',
  'RateLimitDecision',
  'RateLimitEvent',
  'RateLimitIdentity',
  'RateLimitOptions',
  'RateLimitStore',
  'ReplayCache',
  'ReportOnlySetting',
  'RequiresApiKeyOptions',
  'RequiresAttestationDirective',
  'RequiresAttestationOptions',
  'SecurityContextOptions',
  'VerificationEvent',
  'VerifiedAttestation',
];
const envelopValues = ['useRampart', 'yogaRequestFacts'];
const envelopTypes = ['RampartContext', 'RampartPlugin', 'RampartServerOptions', 'UseRampartOptions'];
const apolloValues = ['rampartApollo'];
const apolloTypes = ['RampartApollo', 'RampartServerOptions'];
const developmentValues = [
  'DevelopmentAttester',
  'DevelopmentCaptcha',
  'DevelopmentIssuer',
  'defaultDataDirectory',
  'generateDpopKeyPair',
  'openDataDirectory',
  'openDpopKeyPair',
  'parseDuration',
  'preparePrivateDatabaseFile',
  'signDpopProof',
];

describe('the reviewed public API', () => {
  it('exports exactly the reviewed values from graphql-rampart', () => {
    expect(Object.keys(entry).sort()).toEqual([...mainValues].sort());
  });

  it('exports exactly the reviewed types from graphql-rampart', () => {
    expect(exportedTypes('index.ts')).toEqual([...mainTypes].sort());
  });

  it('keeps graphql-rampart to about 90 names', () => {
    expect(mainValues.length + mainTypes.length).toBeLessThanOrEqual(97);
  });

  it('exports exactly the reviewed values from graphql-rampart/development, and nothing development-only from the main entry', () => {
    expect(Object.keys(development).sort()).toEqual([...developmentValues].sort());
    expect(Object.keys(entry).filter((name) => /^Development|Dpop/.test(name))).toEqual([]);
  });

  it('exports exactly the reviewed values from graphql-rampart/trusted-documents', () => {
    expect(Object.keys(trustedDocumentsEntry).sort()).toEqual(
      [
        'DocumentRefusalError',
        'ManifestError',
        'MemoryTrustedDocumentStore',
        'PersistedQueryNotFoundError',
        'PersistedQueryRequiredError',
        'PostgresTrustedDocumentStore',
        'SqliteTrustedDocumentStore',
        'documentIdOf',
        'readManifest',
        'trustedDocuments',
      ].sort(),
    );
  });

  it('keeps graphql-rampart/development free of demo, CLI and server code', () => {
    const { files, packages } = reachableModules('development.ts');
    expect([...files].filter((file) => /[/\\]src[/\\](demo|cli)[/\\]/.test(file))).toEqual([]);
    expect(
      [...packages].filter(
        (name) => !name.startsWith('node:') && !['graphql', '@graphql-tools/utils', 'jose', 'lru-cache', 'ms'].includes(name),
      ),
    ).toEqual([]);
  });

  it('exports exactly the reviewed names from graphql-rampart/envelop', () => {
    expect(Object.keys(envelopEntry).sort()).toEqual([...envelopValues].sort());
    expect(exportedTypes('envelop.ts')).toEqual([...envelopTypes].sort());
  });

  it('keeps graphql-rampart/envelop free of demo and CLI code, and imports @envelop/core for its types only', () => {
    const { files, packages, runtimePackages } = reachableModules('envelop.ts');
    expect([...files].filter((file) => /[/\\]src[/\\](demo|cli)[/\\]/.test(file))).toEqual([]);
    expect(packages).toContain('@envelop/core');
    expect(
      [...runtimePackages].filter(
        (name) => !name.startsWith('node:') && !['graphql', '@graphql-tools/utils', 'jose', 'lru-cache', 'ms'].includes(name),
      ),
    ).toEqual([]);
  });

  it('exports exactly the reviewed names from graphql-rampart/apollo', () => {
    expect(Object.keys(apolloEntry).sort()).toEqual([...apolloValues].sort());
    expect(exportedTypes('apollo.ts')).toEqual([...apolloTypes].sort());
  });

  it('keeps graphql-rampart/apollo free of demo and CLI code, and imports @apollo/server for its types only', () => {
    const { files, packages, runtimePackages } = reachableModules('apollo.ts');
    expect([...files].filter((file) => /[/\\]src[/\\](demo|cli)[/\\]/.test(file))).toEqual([]);
    expect(packages).toContain('@apollo/server');
    expect(packages).not.toContain('@envelop/core');
    expect(
      [...runtimePackages].filter(
        (name) => !name.startsWith('node:') && !['graphql', '@graphql-tools/utils', 'jose', 'lru-cache', 'ms'].includes(name),
      ),
    ).toEqual([]);
  });
});
