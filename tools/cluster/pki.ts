/**
 * The control plane's keys and certificates, made with openssl: a CA, the API server's serving
 * certificate (loopback only), a client certificate in system:masters for the tests and the
 * controllers, and the service-account signing key pair.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export const pkiFiles = (dir: string): Pki => ({
  caCert: path.join(dir, "ca.crt"),
  serverCert: path.join(dir, "apiserver.crt"),
  serverKey: path.join(dir, "apiserver.key"),
  adminCert: path.join(dir, "admin.crt"),
  adminKey: path.join(dir, "admin.key"),
  serviceAccountKey: path.join(dir, "sa.key"),
  serviceAccountPub: path.join(dir, "sa.pub"),
});

/** The names the API server answers to: loopback and the in-cluster names of Service kubernetes. */
const SERVER_NAMES = "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.0.0.1";

const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });

function signed(dir: string, name: string, subject: string, extensions: string): void {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-subj", subject, "-out", csr);
  fs.writeFileSync(ext, extensions);
  openssl("x509", "-req", "-in", csr, "-CA", path.join(dir, "ca.crt"), "-CAkey", path.join(dir, "ca.key"), "-CAcreateserial", "-days", "30", "-extfile", ext, "-out", path.join(dir, `${name}.crt`));
}

/** Writes a fresh PKI into dir (which must exist). */
export function createPki(dir: string): Pki {
  const files = pkiFiles(dir);
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path.join(dir, "ca.key"), "-subj", "/CN=mcp-platform-test-ca", "-days", "30", "-out", files.caCert);
  signed(dir, "apiserver", "/CN=kube-apiserver", `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${SERVER_NAMES}\n`);
  signed(dir, "admin", "/O=system:masters/CN=mcp-platform-test-admin", "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n");
  openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", files.serviceAccountKey);
  openssl("pkey", "-in", files.serviceAccountKey, "-pubout", "-out", files.serviceAccountPub);
  return files;
}
