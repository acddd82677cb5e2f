/**
 * graphql-rampart/development: providers that stand in for the real ones on a developer's machine
 * and in tests — an OpenID issuer, an attestation service (Approov format), a captcha provider, a
 * DPoP client — and the data directory the `rampart` command and the demo share. Never in
 * production: whoever reads their files can mint any credential.
 */
export { DevelopmentIssuer } from './development/development-issuer.js';
export type { DevelopmentAccessTokenOptions } from './development/development-issuer.js';
export { DevelopmentAttester } from './development/development-attester.js';
export type { DevelopmentAttestationOptions } from './development/development-attester.js';
export { DevelopmentCaptcha } from './development/development-captcha.js';
export { generateDpopKeyPair, openDpopKeyPair, signDpopProof } from './development/dpop-client.js';
export type { DpopKeyPair, DpopProofRequest } from './development/dpop-client.js';
export { defaultDataDirectory, openDataDirectory, preparePrivateDatabaseFile } from './development/data-directory.js';
export type { DataDirectory } from './development/data-directory.js';
export { parseDuration } from './duration.js';
