package dev.starling.runtime.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS context that trusts the JDK's own CAs <em>and</em> the certificates of a PEM file the user
 * supplies (a private model server's CA): adding to the default trust rather than replacing it, so
 * a bundle with only the private CA does not cut off public model hosts. Host names are still
 * verified by the HTTP client. A file that is missing, empty or not PEM certificates fails with a
 * message naming it: a fetch never falls back to the default trust on a bad bundle.
 */
public final class CaBundle {

  private CaBundle() {}

  /** An {@link SSLContext} trusting the JDK's default CAs plus every certificate in {@code pem}. */
  public static SSLContext withDefaults(Path pem) {
    KeyStore trust = trustStore(pem);
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      return tls;
    } catch (GeneralSecurityException e) {
      throw new ModelLoadException("cannot build a TLS context with CA file " + pem + ": " + e, e);
    }
  }

  /** The JDK's trusted CAs and then every certificate of {@code pem}. */
  static KeyStore trustStore(Path pem) {
    List<X509Certificate> extra = read(pem);
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (X509Certificate c : defaultIssuers()) {
        trust.setCertificateEntry("jdk-" + i++, c);
      }
      i = 0;
      for (X509Certificate c : extra) {
        trust.setCertificateEntry("ca-file-" + i++, c);
      }
      return trust;
    } catch (GeneralSecurityException | IOException e) {
      throw new ModelLoadException("cannot build a trust store with CA file " + pem + ": " + e, e);
    }
  }

  /** The certificates in a PEM file; at least one, all X.509. */
  static List<X509Certificate> read(Path pem) {
    if (!Files.isRegularFile(pem)) {
      throw new ModelLoadException("CA file " + pem + " does not exist");
    }
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pem)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (CertificateException e) {
      throw new ModelLoadException(
          "CA file " + pem + " is not a PEM bundle of X.509 certificates: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read CA file " + pem + ": " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new ModelLoadException("CA file " + pem + " holds no certificate");
    }
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : certs) {
      out.add((X509Certificate) c); // the X.509 factory makes nothing else
    }
    return out;
  }

  private static List<X509Certificate> defaultIssuers() throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null); // the JDK's cacerts (or javax.net.ssl.trustStore if set)
    List<X509Certificate> out = new ArrayList<>();
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        out.addAll(List.of(x.getAcceptedIssuers()));
      }
    }
    return out;
  }
}
