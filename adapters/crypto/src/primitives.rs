//! The building blocks: OS randomness, HMAC-SHA-256, HKDF-SHA-256 subkeys and the
//! versioned AES-256-GCM envelope.

use aes_gcm::aead::{Aead, Nonce, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::error::KeyError;

/// The version byte that starts every sealed value (AES-256-GCM, 96-bit random
/// nonce, 128-bit tag).
pub const FORMAT_VERSION: u8 = 1;

/// How many bytes a sealed value is longer than its plaintext: the version byte,
/// the 12-byte nonce and the 16-byte tag.
pub const SEALED_OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The length of every key in this crate.
pub(crate) const KEY_LEN: usize = 32;

/// Fills `buf` from the operating system's random number generator.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), KeyError> {
    getrandom::fill(buf).map_err(|e| KeyError::Random(e.to_string()))
}

/// 32 fresh random key bytes, wiped on drop.
pub(crate) fn random_key() -> Result<Zeroizing<[u8; KEY_LEN]>, KeyError> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    fill_random(key.as_mut_slice())?;
    Ok(key)
}

/// HMAC-SHA-256 under a 32-byte key over the concatenation of `parts`.
///
/// The key is zero-padded to the 64-byte block, which is exactly what HMAC does
/// with a shorter key, so this is infallible.
pub(crate) fn hmac_sha256(key: &[u8; KEY_LEN], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = Zeroizing::new([0u8; 64]);
    for (d, s) in block.iter_mut().zip(key) {
        *d = *s;
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&(*block).into());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HKDF-SHA-256 (RFC 5869, no salt) of a 32-byte key, expanded to a 32-byte
/// subkey with `label` as the info.
pub(crate) fn derive_subkey(
    key: &[u8; KEY_LEN],
    label: &'static str,
) -> Result<Zeroizing<[u8; KEY_LEN]>, KeyError> {
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    Hkdf::<Sha256>::new(None, key)
        .expand(label.as_bytes(), out.as_mut_slice())
        .map_err(|_| KeyError::Derivation { label })?;
    Ok(out)
}

fn cipher(key: &[u8; KEY_LEN]) -> Aes256Gcm {
    let mut k = Key::<Aes256Gcm>::default();
    k.copy_from_slice(key);
    let cipher = Aes256Gcm::new(&k);
    k.as_mut_slice().zeroize();
    cipher
}

/// Seals `plaintext` under `key` with a fresh random nonce:
/// `[FORMAT_VERSION][nonce][ciphertext + tag]`.
pub(crate) fn seal(
    key: &[u8; KEY_LEN],
    associated_data: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, KeyError> {
    let mut nonce = Nonce::<Aes256Gcm>::default();
    fill_random(nonce.as_mut_slice())?;
    let ciphertext = cipher(key)
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: associated_data,
            },
        )
        .map_err(|_| KeyError::TooLong)?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
    out.push(FORMAT_VERSION);
    out.extend_from_slice(nonce.as_slice());
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Opens a value made by [`seal`]; `None` when it is short, of an unknown
/// version, altered, or sealed under another key or associated data.
pub(crate) fn open(key: &[u8; KEY_LEN], associated_data: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let (&version, rest) = sealed.split_first()?;
    if version != FORMAT_VERSION {
        return None;
    }
    let (nonce, ciphertext) = rest.split_at_checked(NONCE_LEN)?;
    if ciphertext.len() < TAG_LEN {
        return None;
    }
    let nonce = Nonce::<Aes256Gcm>::try_from(nonce).ok()?;
    cipher(key)
        .decrypt(
            &nonce,
            Payload {
                msg: ciphertext,
                aad: associated_data,
            },
        )
        .ok()
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkdf_matches_rfc_5869_single_block() {
        // HKDF with no salt = HMAC(zero salt, ikm) then T(1) = HMAC(prk, info || 0x01).
        let ikm = [0x0b; 32];
        let prk = hmac_sha256(&[0; 32], &[&ikm]);
        let expected = hmac_sha256(&prk, &[b"zeugnis-field-v1", &[1]]);
        assert_eq!(*derive_subkey(&ikm, "zeugnis-field-v1").unwrap(), expected);
    }

    #[test]
    fn hmac_matches_the_variable_key_api() {
        let key = [0x42; 32];
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
        mac.update(b"ab");
        mac.update(b"c");
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(hmac_sha256(&key, &[b"a", b"bc"]), expected);
    }

    #[test]
    fn sealed_layout() {
        let key = [3; 32];
        let sealed = seal(&key, b"ad", b"hello").unwrap();
        assert_eq!(sealed.len(), 5 + SEALED_OVERHEAD);
        assert_eq!(sealed[0], FORMAT_VERSION);
        assert_eq!(open(&key, b"ad", &sealed).unwrap(), b"hello");
        assert_eq!(open(&[4; 32], b"ad", &sealed), None);
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0xab, 0x01]), "ab01");
    }
}
