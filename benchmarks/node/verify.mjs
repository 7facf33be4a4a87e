// Verify the benchmark diploma with Digital Bazaar's libraries and time it.
//
//   node verify.mjs input.json
//
// input.json: {"credential": {...}, "didDocument": {...}, "contexts": {url: context},
//              "suite": "eddsa-jcs-2022" | "eddsa-rdfc-2022", "seconds": 0.3, "rounds": 7,
//              "now": "2026-07-01T12:00:00Z" (optional),
//              "maxWorkFactor": 2 (optional, eddsa-rdfc-2022 only),
//              "warmupSeconds": 1 (optional: untimed calls before calibration)}
//
// maxWorkFactor: rdf-canonize's guard against "poison" graphs. Its default (1) allows n deep
// iterations of Hash N-Degree Quads for n blank nodes with non-unique first-degree hashes,
// and some real credentials (a transcript with repeated, identical-looking entries) exceed
// it; DB's verifier then fails with "Maximum deep iterations exceeded". The value is passed
// through the cryptosuite's canonize (the same knob DB's libraries expose to callers).
//
// The document loader is static (the given contexts, the DID document and each of its
// verification methods by id): nothing is fetched. The credential is verified once (exit 1
// with the error if it does not verify), then `rounds` rounds of repeated
// vc.verifyCredential calls, each at least `seconds` long, are timed. Prints JSON:
// {"rates": [ops/s per round], "verified": true, "iterations": [...], "versions": {...}}.
import {readFile} from 'node:fs/promises';
import {readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import process from 'node:process';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as eddsaJcs2022Verify} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';

const PACKAGES = [
  '@digitalbazaar/vc',
  '@digitalbazaar/data-integrity',
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite',
  '@digitalbazaar/ed25519-multikey',
  '@digitalbazaar/ed25519-verifier',
  'jsonld',
  'jsonld-signatures',
  'rdf-canonize',
  'canonicalize',
  'jsonld-document-loader'
];

function versions() {
  // read the manifests by path: most packages do not export ./package.json
  const found = {node: process.versions.node, v8: process.versions.v8};
  for(const name of PACKAGES) {
    try {
      const manifest = JSON.parse(readFileSync(
        new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8'));
      found[name] = manifest.version;
    } catch {
      // not installed at the top level (e.g. a nested dependency): leave it out
    }
  }
  return found;
}

function makeSuite(name, maxWorkFactor) {
  if(name === 'eddsa-rdfc-2022') {
    if(maxWorkFactor === undefined || maxWorkFactor === null) {
      return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
    }
    const cryptosuite = {
      ...eddsaRdfc2022,
      canonize: (input, options) =>
        eddsaRdfc2022.canonize(input, {...options, maxWorkFactor})
    };
    return new DataIntegrityProof({cryptosuite});
  }
  if(name === 'eddsa-jcs-2022') {
    return new DataIntegrityProof({cryptosuite: eddsaJcs2022Verify()});
  }
  throw new Error(`unknown suite ${JSON.stringify(name)}`);
}

function makeDocumentLoader({contexts, didDocument}) {
  const loader = new JsonLdDocumentLoader();
  for(const [url, context] of Object.entries(contexts)) {
    loader.addStatic(url, context);
  }
  loader.addStatic(didDocument.id, didDocument);
  for(const method of didDocument.verificationMethod || []) {
    loader.addStatic(method.id, {'@context': didDocument['@context'], ...method});
  }
  const load = loader.build();
  return async url => {
    try {
      return await load(url);
    } catch(e) {
      throw new Error(`offline document loader: ${url} is not available (${e.message})`);
    }
  };
}

async function main() {
  const path = process.argv[2];
  if(!path) {
    console.error('usage: node verify.mjs input.json');
    process.exit(2);
  }
  const input = JSON.parse(await readFile(path, 'utf8'));
  const {credential, suite: suiteName} = input;
  const seconds = input.seconds ?? 0.3;
  const rounds = input.rounds ?? 7;
  const documentLoader = makeDocumentLoader(input);
  const suite = makeSuite(suiteName, input.maxWorkFactor);
  const options = {credential, suite, documentLoader};
  if(input.now) {
    options.now = new Date(input.now);
  }
  const verify = () => vc.verifyCredential(options);

  const first = await verify();
  if(!first.verified) {
    const errors = [first.error, ...(first.results || []).map(r => r.error)]
      .filter(Boolean)
      .map(e => (e.errors ? e.errors.map(x => x.stack || x.message) : [e.stack || e.message]))
      .flat();
    console.error(`the diploma does not verify with ${suiteName}:\n${errors.join('\n')}`);
    console.error(JSON.stringify(first, null, 2).slice(0, 4000));
    process.exit(1);
  }

  // calibrate (and warm up): the number of calls that take at least `seconds`
  const runCalls = async number => {
    const start = performance.now();
    for(let i = 0; i < number; ++i) {
      const result = await verify();
      if(!result.verified) {
        throw new Error('a timed verification failed');
      }
    }
    return (performance.now() - start) / 1000;
  };
  // warm up first (V8 tiers hot code up over ~1 s; short --quick rounds would time that)
  const warmup = input.warmupSeconds ?? 1;
  for(const start = performance.now(); performance.now() - start < warmup * 1000;) {
    await runCalls(1);
  }
  let number = 1;
  for(;;) {
    const elapsed = await runCalls(number);
    if(elapsed >= seconds) {
      break;
    }
    number = elapsed < seconds / 10 ?
      number * 10 : Math.floor(number * seconds * 1.1 / elapsed) + 1;
  }

  const rates = [];
  const elapsedSeconds = [];
  const cpuSeconds = [];
  for(let round = 0; round < rounds; ++round) {
    if(globalThis.gc) {
      globalThis.gc();
    }
    const cpu = process.cpuUsage();
    const elapsed = await runCalls(number);
    const used = process.cpuUsage(cpu);
    rates.push(number / elapsed);
    elapsedSeconds.push(elapsed);
    cpuSeconds.push((used.user + used.system) / 1e6);
  }
  process.stdout.write(JSON.stringify({
    suite: suiteName,
    verified: true,
    maxWorkFactor: input.maxWorkFactor ?? null,
    rates,
    cpu_rates: cpuSeconds.map(s => number / Math.max(s, 1e-9)),
    calls_per_round: number,
    wall_seconds: elapsedSeconds,
    cpu_seconds: cpuSeconds,
    versions: versions()
  }) + '\n');
}

main().catch(e => {
  console.error(e && e.stack || e);
  process.exit(1);
});
