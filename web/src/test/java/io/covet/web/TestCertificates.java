package io.covet.web;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A self-signed certificate for localhost and 127.0.0.1, written as the PEM files --certfile and --keyfile take. */
final class TestCertificates {

    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    /** How the key file is written: the forms OpenSSL produces. */
    enum KeyForm { PKCS8, TRADITIONAL, PKCS8_ENCRYPTED, TRADITIONAL_ENCRYPTED }

    final X509Certificate certificate;
    final KeyPair keys;

    private TestCertificates(X509Certificate certificate, KeyPair keys) {
        this.certificate = certificate;
        this.keys = keys;
    }

    /** A fresh key pair ("RSA" or "EC") and its certificate. */
    static TestCertificates create(String algorithm) throws GeneralSecurityException, OperatorCreationException {
        // Bouncy Castle's keys: their SEC1 form names the curve, as OpenSSL's does (the JDK's leaves it out).
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm, BC);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(1, ChronoUnit.DAYS)), name, keys.getPublic());
        try {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String signature = algorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(signature).setProvider(BC).build(keys.getPrivate())));
        return new TestCertificates(cert, keys);
    }

    Path writeCertificate(Path file) throws IOException {
        return Files.writeString(file, pem(certificate));
    }

    Path writeKey(Path file, KeyForm form, char[] password) throws IOException, OperatorCreationException {
        Object pem = switch (form) {
            case PKCS8 -> new JcaPKCS8Generator(keys.getPrivate(), null);
            case TRADITIONAL -> new JcaMiscPEMGenerator(keys.getPrivate());
            case PKCS8_ENCRYPTED -> new JcaPKCS8Generator(keys.getPrivate(),
                    new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(BC).setPassword(password).build());
            case TRADITIONAL_ENCRYPTED -> new JcaMiscPEMGenerator(keys.getPrivate(),
                    new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BC).build(password));
        };
        return Files.writeString(file, pem(pem));
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (o instanceof org.bouncycastle.util.io.pem.PemObjectGenerator generator) {
                writer.writeObject(generator);
            } else {
                writer.writeObject(o);
            }
        }
        return out.toString();
    }

    /** An HTTP client that trusts this certificate (and checks the host name against it). */
    HttpClient client() throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("server", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).build();
    }
}
