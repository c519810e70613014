package io.covet.web;

import io.helidon.common.tls.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * {@code --certfile}/{@code --keyfile}: the PEM files gunicorn and uvicorn take, as Helidon's TLS.
 * The certificate file holds the server's certificate, then any intermediates; the key file its
 * private key in any of OpenSSL's PEM forms (PKCS#8, RSA's PKCS#1, EC's SEC1, encrypted with
 * {@code password}). Bouncy Castle reads the key (the JDK reads only unencrypted PKCS#8); it is
 * already on the module path as GraalPy's own dependency.
 *
 * @param certFile the certificate chain, PEM
 * @param keyFile  the private key, PEM
 * @param password the key file's password, or null when it is not encrypted
 */
public record TlsFiles(Path certFile, Path keyFile, char[] password) {

    /** Used here only, not installed: OpenSSL's key ciphers and EC key forms, which the JDK lacks. */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    public TlsFiles {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
    }

    /**
     * Reads the files as the server will, so that a bad certificate or key stops {@code covet run}
     * before it loads the app.
     *
     * @throws IllegalArgumentException as {@link #load()}
     */
    public void verify() {
        load();
    }

    /**
     * Helidon's TLS for these files, read now.
     *
     * @throws IllegalArgumentException naming the file that cannot be read, holds no certificate or
     *                                  key, or whose password is missing or wrong
     */
    Tls load() {
        List<X509Certificate> chain = certificates();
        PrivateKeyInfo info = privateKeyInfo();
        String certificateFor = family(chain.getFirst().getPublicKey().getAlgorithm());
        String keyIs;
        PrivateKey parsed;
        try {
            parsed = new JcaPEMKeyConverter().setProvider(BC).getPrivateKey(info);
            keyIs = family(parsed.getAlgorithm());
        } catch (IOException e) {
            throw new IllegalArgumentException("--keyfile " + keyFile + " holds a key Covet cannot read: " + e.getMessage(), e);
        }
        if (!certificateFor.equals(keyIs)) {
            throw new IllegalArgumentException("--keyfile " + keyFile + " holds a " + keyIs + " key, but the certificate in "
                    + "--certfile " + certFile + " is for a " + certificateFor + " key");
        }
        PrivateKey key;
        try {
            // The JDK's own key object, which its TLS implementation takes (Bouncy Castle's encoding
            // names the curve of an EC key, which OpenSSL's SEC1 form keeps elsewhere).
            key = KeyFactory.getInstance(certificateFor).generatePrivate(new PKCS8EncodedKeySpec(parsed.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--keyfile " + keyFile + ": the JDK cannot use its " + keyIs + " key: "
                    + e.getMessage(), e);
        }
        try {
            return Tls.builder().privateKey(key).privateKeyCertChain(chain).build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--certfile " + certFile + " and --keyfile " + keyFile + " do not make TLS: "
                    + e.getMessage(), e);
        }
    }

    /** One name per key type: Bouncy Castle calls EC keys ECDSA. */
    private static String family(String algorithm) {
        return algorithm.equals("ECDSA") ? "EC" : algorithm;
    }

    private List<X509Certificate> certificates() {
        try (InputStream in = Files.newInputStream(certFile)) {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("--certfile " + certFile + " holds no certificate");
            }
            return chain;
        } catch (IOException e) {
            throw new IllegalArgumentException("can't read --certfile " + certFile + ": " + e, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--certfile " + certFile + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private PrivateKeyInfo privateKeyInfo() {
        Object pem;
        try (Reader in = Files.newBufferedReader(keyFile, java.nio.charset.StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(in)) {
            pem = parser.readObject();
            while (pem != null && !(pem instanceof PEMKeyPair || pem instanceof PrivateKeyInfo
                    || pem instanceof PEMEncryptedKeyPair || pem instanceof PKCS8EncryptedPrivateKeyInfo)) {
                pem = parser.readObject();   // EC PARAMETERS and the like come first
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("can't read --keyfile " + keyFile + ": " + e.getMessage(), e);
        }
        if (pem == null) {
            throw new IllegalArgumentException("--keyfile " + keyFile + " holds no PEM private key");
        }
        try {
            return switch (pem) {
                case PEMKeyPair pair -> pair.getPrivateKeyInfo();
                case PrivateKeyInfo info -> info;
                case PEMEncryptedKeyPair encrypted ->
                        encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(requirePassword())).getPrivateKeyInfo();
                case PKCS8EncryptedPrivateKeyInfo encrypted -> encrypted.decryptPrivateKeyInfo(
                        new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(requirePassword()));
                default -> throw new IllegalStateException("unreachable: " + pem.getClass());
            };
        } catch (IOException | OperatorCreationException | PKCSException e) {
            throw new IllegalArgumentException("can't decrypt --keyfile " + keyFile + (password == null ? "" : ": wrong password?")
                    + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String toString() {
        return "TlsFiles[certFile=" + certFile + ", keyFile=" + keyFile + (password == null ? "" : ", with a password") + "]";
    }

    private char[] requirePassword() {
        if (password == null) {
            throw new IllegalArgumentException("--keyfile " + keyFile + " is encrypted: give its password with --keyfile-password-file");
        }
        return password;
    }
}
