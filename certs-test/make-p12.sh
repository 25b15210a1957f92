#!/usr/bin/env bash
# Writes the TEST-ONLY PKCS#12 (.p12) files from the test keys and certificates in this directory
# (generate.sh runs it last; run it alone after changing only these). Their passphrase is public:
# test-p12-passphrase. Used by `npm run sign-challenge -- --p12 FILE` and its tests.
#
#   certs-test/make-p12.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PASS=pass:test-p12-passphrase

# legal-rsa with its issuing CA, as OpenSSL 3 writes it by default (PBES2/AES-256, SHA-256 MAC).
openssl pkcs12 -export -name "legal-rsa (TEST)" -in legal-rsa.cert.pem -inkey legal-rsa.key.pem \
  -certfile issuing-ca.cert.pem -passout "$PASS" -out legal-rsa.p12
# legal-ec (ECDSA P-256) with the older algorithms many Windows exports still use (3DES, SHA-1 MAC).
openssl pkcs12 -export -name "legal-ec (TEST)" -in legal-ec.cert.pem -inkey legal-ec.key.pem \
  -certfile issuing-ca.cert.pem -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 \
  -passout "$PASS" -out legal-ec.p12
# A certificate without its private key (an export that left the key behind).
openssl pkcs12 -export -nokeys -in legal-rsa.cert.pem -passout "$PASS" -out no-key.p12
# The lookalike hierarchy's leaf with its (untrusted) chain: the service must refuse it.
openssl pkcs12 -export -name "lookalike-leaf (TEST)" -in lookalike-leaf.cert.pem -inkey lookalike-leaf.key.pem \
  -certfile lookalike-issuing-ca.cert.pem -passout "$PASS" -out lookalike-leaf.p12
chmod 644 ./*.p12
