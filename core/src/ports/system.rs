use crate::values::Timestamp;

/// The current time. Inject a fixed or stepping clock in tests; never sleep.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> Timestamp;
}

/// Cryptographically secure random bytes (the operating system's generator in
/// production).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait RandomSource: Send + Sync {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]);
}

/// `N` random bytes from `random`.
pub fn random_bytes<const N: usize>(random: &dyn RandomSource) -> [u8; N] {
    let mut b = [0u8; N];
    random.fill(&mut b);
    b
}

/// A random `u64` from `random`.
pub fn random_u64(random: &dyn RandomSource) -> u64 {
    u64::from_le_bytes(random_bytes::<8>(random))
}
