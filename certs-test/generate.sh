#!/usr/bin/env bash
# Regenerates the TEST-ONLY national PKI in this directory (see README.md for every file).
# Layout, names, subjects, extensions and dates are fixed; keys and serial numbers change on each run.
# Needs bash and the openssl 3.x CLI (node-forge cannot make ECDSA certificates).
#
#   certs-test/generate.sh
#
# Every private key written here is TEST-ONLY and committed on purpose: never trust these CAs outside tests.
set -euo pipefail
export LC_ALL=C.UTF-8

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------------------------
# Fixed dates (YYYYMMDDHHMMSSZ). CAs and normal certificates: ~20 years; CRLs: 3650 days.
CA_START=20250101000000Z
CA_END=20450101000000Z
EE_START=20250101000000Z
EE_END=20441231000000Z
EXPIRED_START=20200101000000Z
EXPIRED_END=20210101000000Z
FUTURE_START=20400101000000Z
FUTURE_END=20440101000000Z
CRL_DAYS=3650

POLICY_OID=1.3.6.1.4.1.99999.1.1
OCSP_URL_IN_CERTS=http://ocsp.test.invalid/   # deliberately unreachable: the verifier must never use it

CA_O="Milli Sertifikat Xidmətləri Mərkəzi (TEST)"
ROOT_SUBJ="/C=AZ/O=${CA_O}/CN=AZ National Root CA (TEST)"
ISSUING_SUBJ="/C=AZ/O=${CA_O}/CN=AZ Qualified Signature Issuing CA (TEST)"

# Identities (also in identities.json)
LEGAL_VOEN=1402345671
LEGAL_NAME="Xəzər Logistika MMC"
LEGAL_REP_FIN=5XKQ2RT
PERSON_FIN=7ABCD12

# ---------------------------------------------------------------------------------------------
# A throw-away `openssl ca` configuration per CA (database, serials, extension profiles).
make_ca_dir() { # name
  local d="$WORK/$1"
  mkdir -p "$d/new"
  : > "$d/index.txt"
  echo "unique_subject = no" > "$d/index.txt.attr"
  echo 1000 > "$d/crlnumber"
  cat > "$d/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default

[ CA_default ]
dir              = $d
database         = \$dir/index.txt
new_certs_dir    = \$dir/new
crlnumber        = \$dir/crlnumber
rand_serial      = yes
default_md       = sha256
default_days     = 7300
default_crl_days = ${CRL_DAYS}
unique_subject   = no
policy           = policy_any
email_in_dn      = no
copy_extensions  = none
crl_extensions   = crl_ext
string_mask      = utf8only
utf8             = yes

[ policy_any ]
countryName            = optional
organizationName       = optional
organizationIdentifier = optional
commonName             = optional
serialNumber           = optional
givenName              = optional
surname                = optional

[ req ]
distinguished_name = req_dn
string_mask        = utf8only
utf8               = yes
prompt             = no
[ req_dn ]
CN = placeholder

[ crl_ext ]
authorityKeyIdentifier = keyid:always

[ v3_root ]
basicConstraints       = critical,CA:true
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash

[ v3_issuing ]
basicConstraints       = critical,CA:true,pathlen:0
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = 2.5.29.32.0
crlDistributionPoints  = URI:http://crl.test.invalid/root-ca.crl

[ v3_sign ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = clientAuth,emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = ${POLICY_OID}
crlDistributionPoints  = URI:http://crl.test.invalid/issuing-ca.crl
authorityInfoAccess    = OCSP;URI:${OCSP_URL_IN_CERTS}

[ v3_bad_key_usage ]
basicConstraints       = critical,CA:false
keyUsage               = critical,keyEncipherment
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = ${POLICY_OID}
crlDistributionPoints  = URI:http://crl.test.invalid/issuing-ca.crl

[ v3_ocsp ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature
extendedKeyUsage       = critical,OCSPSigning
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
noCheck                = ignored
EOF
}

gen_key() { # type out
  case "$1" in
    rsa2048) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
    rsa3072) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$2" ;;
    ec256)   openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$2" ;;
  esac
  chmod 600 "$2"
}

# issue CA-NAME ISSUER-CERT|self KEYFILE OUT-CERT SUBJECT EXTENSIONS START END
issue() {
  local ca="$1" issuer="$2" key="$3" out="$4" subj="$5" ext="$6" start="$7" end="$8"
  local d="$WORK/$ca" csr
  csr="$(mktemp "$WORK/csr.XXXXXX")"
  openssl req -new -config "$d/ca.cnf" -utf8 -key "$key" -subj "/CN=placeholder" -out "$csr"
  if [ "$issuer" = self ]; then
    openssl ca -batch -notext -config "$d/ca.cnf" -utf8 -preserveDN -selfsign -keyfile "$key" \
      -in "$csr" -subj "$subj" -extensions "$ext" -startdate "$start" -enddate "$end" -out "$out" 2>/dev/null
  else
    openssl ca -batch -notext -config "$d/ca.cnf" -utf8 -preserveDN -cert "$issuer" -keyfile "$d/ca.key" \
      -in "$csr" -subj "$subj" -extensions "$ext" -startdate "$start" -enddate "$end" -out "$out" 2>/dev/null
  fi
}

# ---------------------------------------------------------------------------------------------
cd "$OUT"
rm -f ./*.cert.pem ./*.key.pem ./*.crl.pem ocsp-index.txt ocsp-index.txt.attr

# --- the real (trusted) test hierarchy --------------------------------------------------------
make_ca_dir root
gen_key rsa3072 root-ca.key.pem
cp root-ca.key.pem "$WORK/root/ca.key"
issue root self root-ca.key.pem root-ca.cert.pem "$ROOT_SUBJ" v3_root "$CA_START" "$CA_END"

make_ca_dir issuing
gen_key rsa2048 issuing-ca.key.pem
cp issuing-ca.key.pem "$WORK/issuing/ca.key"
issue root root-ca.cert.pem issuing-ca.key.pem issuing-ca.cert.pem "$ISSUING_SUBJ" v3_issuing "$CA_START" "$CA_END"

# leaf NAME KEYTYPE SUBJECT [EXT] [START] [END]
leaf() {
  local name="$1" keytype="$2" subj="$3" ext="${4:-v3_sign}" start="${5:-$EE_START}" end="${6:-$EE_END}"
  gen_key "$keytype" "$name.key.pem"
  issue issuing issuing-ca.cert.pem "$name.key.pem" "$name.cert.pem" "$subj" "$ext" "$start" "$end"
}

LEGAL_SUBJ="/C=AZ/O=${LEGAL_NAME}/organizationIdentifier=VATAZ-${LEGAL_VOEN}/CN=Elvin Quliyev/GN=Elvin/SN=Quliyev/serialNumber=PNOAZ-${LEGAL_REP_FIN}"
PERSON_SUBJ="/C=AZ/CN=Aysel Məmmədova/GN=Aysel/SN=Məmmədova/serialNumber=PNOAZ-${PERSON_FIN}"

leaf legal-rsa rsa2048 "$LEGAL_SUBJ"
leaf legal-ec ec256 "$LEGAL_SUBJ"
leaf person-rsa rsa2048 "$PERSON_SUBJ"
leaf person-ec ec256 "$PERSON_SUBJ"
leaf expired rsa2048 "/C=AZ/CN=Kamran Expired/serialNumber=PNOAZ-1EXPIRD" v3_sign "$EXPIRED_START" "$EXPIRED_END"
leaf not-yet-valid rsa2048 "/C=AZ/CN=Leyla Future/serialNumber=PNOAZ-2FUTURE" v3_sign "$FUTURE_START" "$FUTURE_END"
leaf revoked rsa2048 "/C=AZ/CN=Tural Revoked/serialNumber=PNOAZ-3REVOKD"
leaf bad-key-usage rsa2048 "/C=AZ/CN=Nigar BadKeyUsage/serialNumber=PNOAZ-4BADKU0" v3_bad_key_usage
leaf no-mapping ec256 "/C=AZ/O=Naməlum Təşkilat/CN=Unmapped Subject (TEST)"
leaf revoked-ocsp-only ec256 "/C=AZ/CN=Orxan OcspRevoked/serialNumber=PNOAZ-5OCSPRV"
PORTAL_SUBJ="/C=AZ/O=Elektron Hökumət Portalı (TEST)/CN=egov.gov.az assertion signer (TEST)"
leaf portal rsa2048 "$PORTAL_SUBJ"
# Same subject as the portal, trusted issuer, different key: must NOT pass the allow-list.
leaf portal-impostor rsa2048 "$PORTAL_SUBJ"
leaf ocsp-responder rsa2048 "/C=AZ/O=${CA_O}/CN=AZ Issuing CA OCSP Responder (TEST)" v3_ocsp

# CRLs: issuing CA revokes `revoked`; root's CRL covers the issuing CA (nothing revoked).
openssl ca -batch -config "$WORK/issuing/ca.cnf" -cert issuing-ca.cert.pem -keyfile "$WORK/issuing/ca.key" \
  -revoke revoked.cert.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config "$WORK/issuing/ca.cnf" -cert issuing-ca.cert.pem -keyfile "$WORK/issuing/ca.key" \
  -gencrl -crldays "$CRL_DAYS" -out issuing-ca.crl.pem 2>/dev/null
openssl ca -batch -config "$WORK/root/ca.cnf" -cert root-ca.cert.pem -keyfile "$WORK/root/ca.key" \
  -gencrl -crldays "$CRL_DAYS" -out root-ca.crl.pem 2>/dev/null

# OCSP responder index: the issuing CA's database plus `revoked-ocsp-only` marked revoked (not in the CRL).
openssl ca -batch -config "$WORK/issuing/ca.cnf" -cert issuing-ca.cert.pem -keyfile "$WORK/issuing/ca.key" \
  -revoke revoked-ocsp-only.cert.pem -crl_reason keyCompromise 2>/dev/null
cp "$WORK/issuing/index.txt" ocsp-index.txt
echo "unique_subject = no" > ocsp-index.txt.attr

# --- the lookalike hierarchy: same subject names, different keys; NOT trusted ----------------
make_ca_dir lroot
gen_key rsa3072 lookalike-root-ca.key.pem
cp lookalike-root-ca.key.pem "$WORK/lroot/ca.key"
issue lroot self lookalike-root-ca.key.pem lookalike-root-ca.cert.pem "$ROOT_SUBJ" v3_root "$CA_START" "$CA_END"
make_ca_dir lissuing
gen_key rsa2048 lookalike-issuing-ca.key.pem
cp lookalike-issuing-ca.key.pem "$WORK/lissuing/ca.key"
issue lroot lookalike-root-ca.cert.pem lookalike-issuing-ca.key.pem lookalike-issuing-ca.cert.pem "$ISSUING_SUBJ" v3_issuing "$CA_START" "$CA_END"
gen_key rsa2048 lookalike-leaf.key.pem
issue lissuing lookalike-issuing-ca.cert.pem lookalike-leaf.key.pem lookalike-leaf.cert.pem "$LEGAL_SUBJ" v3_sign "$EE_START" "$EE_END"

# --- a self-signed leaf with the legal entity's identity (trusted by nobody) ------------------
make_ca_dir selfsigned
gen_key rsa2048 self-signed.key.pem
issue selfsigned self self-signed.key.pem self-signed.cert.pem "$LEGAL_SUBJ" v3_sign "$EE_START" "$EE_END"

chmod 644 ./*.pem ocsp-index.txt ocsp-index.txt.attr
"$OUT/make-document-signer.sh"   # the service's TEST-ONLY document-signing certificate (signed extracts)
"$OUT/make-p12.sh"   # the TEST-ONLY .p12 files, from the keys and certificates above
echo "test PKI written to $OUT"
