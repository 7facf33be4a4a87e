// A VC-API exchange client that does what the Learner Credential Wallet does
// (learner-credential-wallet app/lib/exchanges.ts), with the libraries it uses:
// @digitalcredentials/vc, Ed25519Signature2020 and DCC's security document loader with
// remote contexts. Driven by tests/interop/test_lcw_exchange.py:
//
//   NODE_EXTRA_CA_CERTS=test-ca.pem node lcw_exchange.mjs input.json output.json
//
// input.json: {"service": "https://localhost:PORT", "issuance": <LCW link>,
//              "verification": <LCW link>}
// output.json: {"did", "credential", "issuance": {...}, "verification": {...}, "replay": {...}}
//
// Steps, as LCW takes them: read `request={"protocols": {"vcapi": url}}` from the link, POST {}
// to the exchange, read the Verifiable Presentation Request; for a DIDAuthentication query,
// sign; for a QueryByExample, put the matching credentials in the presentation; POST
// {verifiablePresentation} to interact.service[0].serviceEndpoint. As in verify.mjs, the
// network reaches only the service (and w3id.org/diploma-exchange, routed to it).
import {readFile, writeFile} from 'node:fs/promises';
import process from 'node:process';

const input = JSON.parse(await readFile(process.argv[2], 'utf8'));
const service = new URL(input.service);
const W3ID_PREFIX = 'https://w3id.org/diploma-exchange/';

const realFetch = globalThis.fetch;
function route(url) {
  const text = String(url);
  if(text.startsWith(W3ID_PREFIX)) {
    return `${service.origin}/contexts/diploma-exchange/${text.slice(W3ID_PREFIX.length)}`;
  }
  if(new URL(text).host === service.host) {
    return text;
  }
  throw new Error(`no network in the interoperability test: refused ${text}`);
}
globalThis.fetch = async (resource, options) => {
  if(resource instanceof Request) {
    return realFetch(new Request(route(resource.url), resource), options);
  }
  return realFetch(route(resource), options);
};

const vc = await import('@digitalcredentials/vc');
const {Ed25519Signature2020} = await import('@digitalcredentials/ed25519-signature-2020');
const {Ed25519VerificationKey2020} = await import(
  '@digitalcredentials/ed25519-verification-key-2020');
const {securityLoader} = await import('@digitalcredentials/security-document-loader');

const documentLoader = securityLoader({fetchRemoteContexts: true}).build();
const key = await Ed25519VerificationKey2020.generate();
const did = `did:key:${key.fingerprint()}`;
key.controller = did;
key.id = `${did}#${key.fingerprint()}`;
const suite = new Ed25519Signature2020({key});

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(body)
  });
  return {status: response.status, body: await response.json()};
}

function exchangeUrl(link) {
  const request = JSON.parse(new URL(link).searchParams.get('request'));
  return request.protocols.vcapi;
}

function matches(example, credential) {
  // LCW's QueryByExample matching: arrays must all be contained, objects recurse.
  return Object.entries(example).every(([name, value]) => {
    const held = credential[name];
    if(Array.isArray(value)) {
      return Array.isArray(held) && value.every(v => held.includes(v));
    }
    if(value && typeof value === 'object') {
      return held && typeof held === 'object' && matches(value, held);
    }
    return held === value;
  });
}

async function runExchange(link, wallet) {
  const url = exchangeUrl(link);
  const started = await post(url, {});
  const vpr = started.body.verifiablePresentationRequest;
  let signed = false;
  const credentials = [];
  for(const query of [].concat(vpr.query)) {
    if(query.type === 'DIDAuthentication' || query.type === 'DIDAuth') {
      signed = true;
    } else if(query.type === 'QueryByExample') {
      for(const credentialQuery of [].concat(query.credentialQuery)) {
        credentials.push(...wallet.filter(c => matches(credentialQuery.example, c)));
      }
    }
  }
  const options = {holder: did};
  if(credentials.length) {
    options.verifiableCredential = credentials;
  }
  let presentation = vc.createPresentation(options);
  if(signed) {
    presentation = await vc.signPresentation({
      presentation, challenge: vpr.challenge, domain: vpr.domain, suite, documentLoader
    });
  }
  const endpoint = vpr.interact?.service?.[0]?.serviceEndpoint ?? url;
  const answer = await post(endpoint, {verifiablePresentation: presentation});
  return {started: started.status, vpr, presentation, answer};
}

const output = {did};
try {
  const issuance = await runExchange(input.issuance, []);
  output.issuance = {started: issuance.started, status: issuance.answer.status,
    query: issuance.vpr.query};
  const credential = issuance.answer.body.verifiablePresentation.verifiableCredential[0];
  output.credential = credential;
  const verification = await runExchange(input.verification, [credential]);
  output.verification = {started: verification.started, status: verification.answer.status,
    body: verification.answer.body, presented: verification.presentation};
  const replay = await post(exchangeUrl(input.verification),
    {verifiablePresentation: verification.presentation});
  output.replay = replay;
} catch(error) {
  output.error = `${error.name}: ${error.message}\n${error.stack}`;
}
await writeFile(process.argv[3], JSON.stringify(output, null, 2));
