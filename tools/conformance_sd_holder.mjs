/*
 * The VC-API holder the ecdsa suite's ecdsa-sd-2023 interop test derives with
 * (tests/60-sd-interop.js: the implementation named in config/runner.json, vcHolder.holderName
 * "Digital Bazaar", tag "vcHolder"; upstream, Digital Bazaar's hosted holder). Here it is
 * Digital Bazaar's own ecdsa-sd-2023 library, the one the suite's vc-generator derives with,
 * served on 127.0.0.1 only:
 *
 *   POST /credentials/derive  {verifiableCredential, options: {selectivePointers}}
 *     -> 201, the derived credential (the suite verifies the response body as the credential)
 *
 * tools/conformance.py copies this file into the installed suite (its node_modules resolve the
 * imports), starts it, reads "listening PORT" from its first line and stops it after the run.
 * It derives only; it holds no key and signs nothing. Not part of the service.
 */
import * as ecdsaSd2023Cryptosuite from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {documentLoader} from './tests/vc-generator/documentLoader.js';
import http from 'node:http';

const MAX_BODY = 1024 * 1024;

function reply(response, status, body) {
  response.writeHead(status, {'content-type': 'application/json'});
  response.end(JSON.stringify(body));
}

const server = http.createServer((request, response) => {
  if(request.method !== 'POST' || request.url !== '/credentials/derive') {
    return reply(response, 404, {error: 'only POST /credentials/derive'});
  }
  const chunks = [];
  let size = 0;
  request.on('data', chunk => {
    size += chunk.length;
    if(size > MAX_BODY) {
      request.destroy();
    } else {
      chunks.push(chunk);
    }
  });
  request.on('end', async () => {
    try {
      const {verifiableCredential, options = {}} =
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const {selectivePointers = []} = options;
      const derived = await vc.derive({
        verifiableCredential,
        documentLoader,
        suite: new DataIntegrityProof({
          cryptosuite: ecdsaSd2023Cryptosuite.createDiscloseCryptosuite(
            {selectivePointers})
        })
      });
      reply(response, 201, derived);
    } catch(e) {
      reply(response, 400, {error: String(e?.message ?? e)});
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
