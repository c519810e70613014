package io.covet.web;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** --certfile/--keyfile: every PEM form OpenSSL writes is read; every file that can't serve is an error naming it. */
class TlsFilesTest {

    private static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestCertificates.KeyForm.class)
    void rsaAndEcKeysInEveryPemFormMakeTls(TestCertificates.KeyForm form) throws Exception {
        for (String algorithm : new String[]{"RSA", "EC"}) {
            TestCertificates certs = TestCertificates.create(algorithm);
            Path cert = certs.writeCertificate(dir.resolve(algorithm + ".crt"));
            Path key = certs.writeKey(dir.resolve(algorithm + "-" + form + ".key"), form, PASSWORD);
            boolean encrypted = form.name().endsWith("ENCRYPTED");
            assertThatCode(() -> new TlsFiles(cert, key, encrypted ? PASSWORD : null).verify()).doesNotThrowAnyException();
            if (encrypted) {
                assertThatThrownBy(() -> new TlsFiles(cert, key, null).verify())
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is encrypted")
                        .hasMessageContaining("--keyfile-password-file");
                assertThatThrownBy(() -> new TlsFiles(cert, key, "wrong".toCharArray()).verify())
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("can't decrypt --keyfile " + key);
            }
        }
    }

    @Test
    void filesThatCannotServeAreErrorsNamingTheFile() throws Exception {
        TestCertificates rsa = TestCertificates.create("RSA");
        TestCertificates ec = TestCertificates.create("EC");
        Path cert = rsa.writeCertificate(dir.resolve("rsa.crt"));
        Path key = rsa.writeKey(dir.resolve("rsa.key"), TestCertificates.KeyForm.PKCS8, null);
        Path ecKey = ec.writeKey(dir.resolve("ec.key"), TestCertificates.KeyForm.PKCS8, null);
        Path missing = dir.resolve("missing.pem");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a PEM file\n");

        assertThatThrownBy(() -> new TlsFiles(missing, key, null).verify())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("can't read --certfile " + missing);
        assertThatThrownBy(() -> new TlsFiles(cert, missing, null).verify())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("can't read --keyfile " + missing);
        assertThatThrownBy(() -> new TlsFiles(text, key, null).verify())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--certfile " + text);
        assertThatThrownBy(() -> new TlsFiles(cert, text, null).verify())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--keyfile " + text + " holds no PEM private key");
        assertThatThrownBy(() -> new TlsFiles(cert, cert, null).verify()).as("a certificate given as the key")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no PEM private key");
        assertThatThrownBy(() -> new TlsFiles(cert, ecKey, null).verify())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds a EC key")
                .hasMessageContaining("for a RSA key");
    }
}
