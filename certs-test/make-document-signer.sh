#!/usr/bin/env bash
# Issues the TEST-ONLY document-signing certificate of the service (signed statistical extracts, `npm run
# verify-extract`) under the test issuing CA in this directory, with the same `openssl ca` tooling as
# generate.sh (which runs it after the other certificates; run it alone to re-issue only this one).
# Its private key is committed on purpose: never trust this certificate outside tests.
#
#   certs-test/make-document-signer.sh
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "${BASH_SOURCE[0]}")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

EE_START=20250101000000Z
EE_END=20441231000000Z
POLICY_OID=1.3.6.1.4.1.99999.1.1
# id-kp-documentSigning (RFC 9336). emailProtection is kept beside it: `openssl cms -verify` checks the
# S/MIME signing purpose by default, which requires emailProtection whenever extendedKeyUsage is present.
DOCUMENT_SIGNING_EKU=1.3.6.1.5.5.7.3.36
SUBJ="/C=AZ/O=Dövlət Gömrük Komitəsi (TEST)/CN=Customs trade statistics extract signer (TEST)"

mkdir -p "$WORK/new"
: > "$WORK/index.txt"
echo "unique_subject = no" > "$WORK/index.txt.attr"
cat > "$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir             = $WORK
database        = \$dir/index.txt
new_certs_dir   = \$dir/new
rand_serial     = yes
default_md      = sha256
unique_subject  = no
policy          = policy_any
email_in_dn     = no
copy_extensions = none
string_mask     = utf8only
utf8            = yes
[ policy_any ]
countryName      = optional
organizationName = optional
commonName       = optional
[ req ]
distinguished_name = req_dn
string_mask        = utf8only
utf8               = yes
prompt             = no
[ req_dn ]
CN = placeholder
[ v3_document_signer ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = ${DOCUMENT_SIGNING_EKU},emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = ${POLICY_OID}
crlDistributionPoints  = URI:http://crl.test.invalid/issuing-ca.crl
CNF

openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out document-signer.key.pem
openssl req -new -config "$WORK/ca.cnf" -utf8 -key document-signer.key.pem -subj "/CN=placeholder" -out "$WORK/csr.pem"
openssl ca -batch -notext -config "$WORK/ca.cnf" -utf8 -preserveDN -cert issuing-ca.cert.pem \
  -keyfile issuing-ca.key.pem -in "$WORK/csr.pem" -subj "$SUBJ" -extensions v3_document_signer \
  -startdate "$EE_START" -enddate "$EE_END" -out document-signer.cert.pem 2>/dev/null
chmod 644 document-signer.cert.pem document-signer.key.pem
