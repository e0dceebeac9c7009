/**
 * TLS certificates for tests of the client and the CLI against the fake gateway over https://
 * and wss://. Test data only: these keys protect nothing. Two self-signed ECDSA P-256 server
 * certificates for localhost, 127.0.0.1 and ::1, valid 2025-2125, made once with @peculiar/x509
 * (the library the gateway generates its certificates with, docs/decisions.md), so a test can
 * present one and pin or trust the other.
 */

/** A PEM certificate and its private key. */
export interface TestTlsPair {
  readonly cert: string;
  readonly key: string;
}

/** The certificate a test's fake gateway presents. */
export const TEST_TLS_A: TestTlsPair = {
  cert: `-----BEGIN CERTIFICATE-----
MIIBhTCCASygAwIBAgIBATAKBggqhkjOPQQDAjAZMRcwFQYDVQQDEw5mYWtlIGdh
dGV3YXkgQTAgFw0yNTAxMDEwMDAwMDBaGA8yMTI1MDEwMTAwMDAwMFowGTEXMBUG
A1UEAxMOZmFrZSBnYXRld2F5IEEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARq
JOPmsaFh7D0AVURaJcholWMcDjitIEKaLKhOSZyeN9/DCtCkOEox/6uQqXADzzQK
qu1RMOU6wTizeFHjlYato2MwYTAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIH
gDATBgNVHSUEDDAKBggrBgEFBQcDATAsBgNVHREEJTAjgglsb2NhbGhvc3SHBH8A
AAGHEAAAAAAAAAAAAAAAAAAAAAEwCgYIKoZIzj0EAwIDRwAwRAIgMrdwHXs/95v6
irFTXgSrgypJgs9Y7vkJUmEqvl3yvfoCIFm4/NLSe1qI3y9GVbOJq+4kQBB0UyCZ
axz+8foxwee0
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGZR7b6mATeg6JVLN
6LKSSPCQArJ+DtmMsM4tA/LF5hehRANCAARqJOPmsaFh7D0AVURaJcholWMcDjit
IEKaLKhOSZyeN9/DCtCkOEox/6uQqXADzzQKqu1RMOU6wTizeFHjlYat
-----END PRIVATE KEY-----
`,
};

/** Another certificate for the same names: trusting or pinning it must not let A through. */
export const TEST_TLS_B: TestTlsPair = {
  cert: `-----BEGIN CERTIFICATE-----
MIIBhjCCASygAwIBAgIBATAKBggqhkjOPQQDAjAZMRcwFQYDVQQDEw5mYWtlIGdh
dGV3YXkgQjAgFw0yNTAxMDEwMDAwMDBaGA8yMTI1MDEwMTAwMDAwMFowGTEXMBUG
A1UEAxMOZmFrZSBnYXRld2F5IEIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR0
KFyYi1rWkWhj1EmrDpxaqrh7QPilW56BXbGtKHXhMnAPLJMsQJgBYCrvJva+nOca
a9Pe24OxX1JOvvxZYylto2MwYTAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIH
gDATBgNVHSUEDDAKBggrBgEFBQcDATAsBgNVHREEJTAjgglsb2NhbGhvc3SHBH8A
AAGHEAAAAAAAAAAAAAAAAAAAAAEwCgYIKoZIzj0EAwIDSAAwRQIgWIYnwVH4tM+J
2oRo1zTNMegKJDIllN9HLBpvhCto1pQCIQCBSHuxbK+FS5Bxl8WHPpxDhMaF+vfB
MK4V5fGBedbV/w==
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgoJ4pJZnu9T3ska9V
anfYNQEfPkbfO9ktSOP7fgHrhdahRANCAAR0KFyYi1rWkWhj1EmrDpxaqrh7QPil
W56BXbGtKHXhMnAPLJMsQJgBYCrvJva+nOcaa9Pe24OxX1JOvvxZYylt
-----END PRIVATE KEY-----
`,
};
