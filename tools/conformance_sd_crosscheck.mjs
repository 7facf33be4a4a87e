/*
 * A manual cross-check of this service's ecdsa-sd-2023 against Digital Bazaar's library (the
 * reference the W3C ecdsa suite derives with), beyond what the suite tests. Run it from the
 * suite installed by `make conformance`, with the service serving the demo data:
 *
 *   cp tools/conformance_sd_crosscheck.mjs var/w3c/suites/vc-di-ecdsa-test-suite/
 *   cd var/w3c/suites/vc-di-ecdsa-test-suite
 *   NODE_TLS_REJECT_UNAUTHORIZED=0 BASE_URL=https://localhost:PORT API_KEY=<the demo
 *     university's key, keys/demo/api-keys.json> ISSUER=<its P-256 did:key>
 *     node conformance_sd_crosscheck.mjs
 *
 * For the suite's four sd documents (tests/mocks/{valid,achievement}/vc{1.1,2.0}) and five
 * selections each: (A) the library's base proof and derivation;
 * (B) the service's base proof (POST /credentials/issue, ecdsa-sd-2023), derived by the
 * library; each verified by the service (POST /credentials/verify) and by the library. Prints
 * one line each and the number of disagreements; exit status 1 when there is one.
 */
import * as ecdsaSd from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {randomUUID} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {documentLoader} from './tests/vc-generator/documentLoader.js';
import {getMultikeys} from './tests/vc-generator/key-gen.js';
import {localVerifier} from './tests/vc-verifier/index.js';

const {BASE_URL, API_KEY, ISSUER} = process.env;
const load = path => JSON.parse(readFileSync(path));
const {signer, issuer} = (await getMultikeys({keyTypes: ['P-256']})).get('P-256');
const library = localVerifier({cryptosuite: ecdsaSd.createVerifyCryptosuite()});
let disagreements = 0;

async function serviceVerifies(credential) {
  const response = await fetch(`${BASE_URL}/credentials/verify`, {
    method: 'POST', headers: {'content-type': 'application/json'},
    body: JSON.stringify({verifiableCredential: credential})
  });
  const body = await response.json();
  return {ok: body.verified === true, why: body.detail ?? ''};
}

async function libraryVerifies(credential) {
  const {result, error} = await library.post(
    {json: {verifiableCredential: credential, options: {checks: ['proof']}}});
  return {ok: Boolean(result), why: result ? '' : JSON.stringify(error?.errors ?? error)};
}

async function serviceIssues(credential, mandatoryPointers) {
  const response = await fetch(`${BASE_URL}/credentials/issue`, {
    method: 'POST',
    headers: {'content-type': 'application/json', authorization: `Bearer ${API_KEY}`},
    body: JSON.stringify(
      {credential, options: {cryptosuite: 'ecdsa-sd-2023', mandatoryPointers}})
  });
  const body = await response.json();
  if(response.status !== 201) {
    throw new Error(`issue: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.verifiableCredential;
}

const derive = (verifiableCredential, selectivePointers) => vc.derive({
  verifiableCredential, documentLoader,
  suite: new DataIntegrityProof(
    {cryptosuite: ecdsaSd.createDiscloseCryptosuite({selectivePointers})})
});
const libraryIssues = (credential, mandatoryPointers) => vc.issue({
  credential, documentLoader,
  suite: new DataIntegrityProof(
    {signer, cryptosuite: ecdsaSd.createSignCryptosuite({mandatoryPointers})})
});

for(const mock of ['valid/vc2.0', 'achievement/vc2.0', 'valid/vc1.1', 'achievement/vc1.1']) {
  const dir = `tests/mocks/${mock}`;
  const document = load(`${dir}/document.json`);
  const mandatory = load(`${dir}/mandatoryPointers.json`);
  const selective = load(`${dir}/selectivePointers.json`);
  const selections = {
    all: selective, first: selective.slice(0, 1), nested: selective.slice(1, 3), none: [],
    subjectId: document.credentialSubject.id ? ['/credentialSubject/id'] : []
  };
  const dated = id => {
    const copy = structuredClone(document);
    copy.issuer = id;
    copy.id = `urn:uuid:${randomUUID()}`;
    if(mock.endsWith('1.1')) {
      copy.issuanceDate = '2024-01-01T00:00:00Z';
    }
    return copy;
  };
  const libraryBase = await libraryIssues(dated(issuer), mandatory);
  const serviceBase = await serviceIssues(dated(ISSUER), mandatory);
  for(const [name, pointers] of Object.entries(selections)) {
    const a = await derive(libraryBase, pointers);
    const [aService, aLibrary] = [await serviceVerifies(a), await libraryVerifies(a)];
    if(aService.ok !== aLibrary.ok) {
      disagreements++;
    }
    console.log(`A ${mock} ${name}: service ${aService.ok} library ${aLibrary.ok}`,
      aService.why.slice(0, 120), aLibrary.why.slice(0, 120));
    const b = await derive(serviceBase, pointers);
    const [bService, bLibrary] = [await serviceVerifies(b), await libraryVerifies(b)];
    if(bService.ok !== bLibrary.ok) {
      disagreements++;
    }
    console.log(`B ${mock} ${name}: service ${bService.ok} library ${bLibrary.ok}`,
      bService.why.slice(0, 120), bLibrary.why.slice(0, 120));
  }
}
console.log(`${disagreements} disagreement(s)`);
process.exit(disagreements ? 1 : 0);
