//! Argon2id password hashing on a bounded blocking pool.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash as PhcHash;
use argon2::password_hash::{
    Error as PhcError, PasswordHasher as PhcHasher, PasswordVerifier as PhcVerifier,
};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use tokio::sync::Semaphore;
use zeroize::Zeroizing;
use zeugnis_core::password::Password;
use zeugnis_core::ports::{HashError, PasswordCheck, PasswordHash, PasswordHasher};

/// The input of the dummy hash (see [`Argon2Hasher`]). It is never accepted:
/// a verification against the dummy reports "no match" whatever its result.
const DUMMY_PASSWORD: &[u8] = b"zeugnis: no account, no password";

/// The most memory a stored hash may ask for, in KiB (1 GiB), unless the
/// configured parameters ask for more. A stored hash above it is treated as
/// malformed: it cannot have been written by this hasher, and verifying it
/// would tie up a worker and memory.
const MAX_STORED_MEMORY_KIB: u32 = 1024 * 1024;

/// The most passes a stored hash may ask for, unless the configured
/// parameters ask for more (see [`MAX_STORED_MEMORY_KIB`]).
const MAX_STORED_ITERATIONS: u32 = 100;

/// Argon2id cost parameters. The default is OWASP's recommendation
/// (m = 19 MiB, t = 2, p = 1); they are stored in every PHC string, so they can
/// be raised at any time: older hashes then report
/// [`needs_rehash`](PasswordCheck::needs_rehash) at the next login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Argon2Params {
    /// Memory per hash in KiB (m).
    pub memory_kib: u32,
    /// Number of passes over the memory (t).
    pub iterations: u32,
    /// Degree of parallelism, lanes (p). The lanes are computed one after the
    /// other on the worker thread; the value only changes the hash.
    pub parallelism: u32,
}

impl Argon2Params {
    /// OWASP's recommendation for Argon2id: m = 19456 KiB, t = 2, p = 1.
    pub const OWASP: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    fn to_argon2(self) -> Result<Params, HashError> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| HashError::Failed(format!("invalid Argon2 parameters: {e}")))
    }
}

impl Default for Argon2Params {
    /// [`Argon2Params::OWASP`].
    fn default() -> Self {
        Self::OWASP
    }
}

/// [`PasswordHasher`] with Argon2id (version 0x13, 16-byte random salt from the
/// operating system, 32-byte output), stored as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$…$…`).
///
/// Every hash and verification runs on tokio's blocking pool, at most
/// `max_concurrent` at a time; further requests wait (asynchronously) for a
/// permit. A verification without a stored hash, with a malformed stored hash
/// or with a password longer than [`Password::MAX_CHARS`] still computes a
/// full Argon2id hash (against a dummy hash made once at construction with
/// the configured parameters), so it takes as long as a real one.
///
/// Cloning is cheap and shares the permits.
#[derive(Clone)]
pub struct Argon2Hasher {
    inner: Arc<Inner>,
    permits: Arc<Semaphore>,
    max_concurrent: usize,
    jobs: std::sync::mpsc::Sender<Job>,
}

type Job = Box<dyn FnOnce() + Send>;

/// Starts `n` threads that run hashing jobs until the hasher is dropped. A
/// fixed set of threads (rather than the runtime's blocking pool, which grows
/// under load) keeps the 19 MiB working memory of each hash in a few reused
/// allocator arenas: memory stays near `n` hashes' worth however many logins
/// arrive.
fn start_workers(n: usize) -> Result<std::sync::mpsc::Sender<Job>, HashError> {
    let (sender, receiver) = std::sync::mpsc::channel::<Job>();
    let receiver = Arc::new(std::sync::Mutex::new(receiver));
    for i in 0..n {
        let receiver = Arc::clone(&receiver);
        std::thread::Builder::new()
            .name(format!("zeugnis-hash-{i}"))
            .spawn(move || {
                loop {
                    let job = {
                        let Ok(guard) = receiver.lock() else { return };
                        guard.recv()
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
            .map_err(|e| HashError::Failed(format!("cannot start a hashing thread: {e}")))?;
    }
    Ok(sender)
}

struct Inner {
    argon2: Argon2<'static>,
    config: Argon2Params,
    dummy: PhcHash,
}

impl Argon2Hasher {
    /// A hasher with `params` running at most `max_concurrent` hashes at once.
    /// Computes the dummy hash, so it blocks for the time of one hash: call it
    /// at start-up, not per request.
    ///
    /// # Errors
    /// [`HashError::Failed`] when `params` are not valid Argon2 parameters
    /// (e.g. less than 8 KiB per lane, no passes, no lanes) or
    /// `max_concurrent` is 0 (or beyond what a semaphore can hold).
    pub fn new(params: Argon2Params, max_concurrent: usize) -> Result<Self, HashError> {
        if max_concurrent == 0 || max_concurrent > Semaphore::MAX_PERMITS {
            return Err(HashError::Failed(format!(
                "the number of concurrent password hashes must be between 1 and {}, got {max_concurrent}",
                Semaphore::MAX_PERMITS
            )));
        }
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.to_argon2()?);
        let dummy = argon2
            .hash_password(DUMMY_PASSWORD)
            .map_err(|e| HashError::Failed(format!("computing the dummy hash failed: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                argon2,
                config: params,
                dummy,
            }),
            permits: Arc::new(Semaphore::new(max_concurrent)),
            max_concurrent,
            jobs: start_workers(max_concurrent)?,
        })
    }

    /// A sensible `max_concurrent`: the number of CPUs the process may use, at
    /// least 1.
    #[must_use]
    pub fn default_concurrency() -> usize {
        std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
    }

    /// The configured parameters (used for new hashes and the dummy).
    #[must_use]
    pub fn params(&self) -> Argon2Params {
        self.inner.config
    }

    /// How many hashes may run at once.
    #[must_use]
    pub fn max_concurrent(&self) -> usize {
        self.max_concurrent
    }

    /// Runs `job` on a hashing thread once a permit is free; the permit is
    /// held until the job ends, even when the caller stops waiting.
    async fn run<T, F>(&self, job: F) -> Result<T, HashError>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, HashError> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| HashError::Failed("the password hashing pool is closed".to_owned()))?;
        let inner = Arc::clone(&self.inner);
        let (done, answer) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let result = job(&inner);
                drop(permit);
                // The caller may have stopped waiting; the permit is back anyway.
                let _ = done.send(result);
            }))
            .map_err(|_| HashError::Failed("the password hashing threads are gone".to_owned()))?;
        answer
            .await
            .map_err(|_| HashError::Failed("the password hashing worker failed".to_owned()))?
    }
}

impl Inner {
    /// Parses and sanity-checks a stored PHC string.
    fn parse(&self, stored: &str) -> Result<PhcHash, HashError> {
        let phc = PhcHash::new(stored).map_err(|_| HashError::Malformed)?;
        Algorithm::try_from(phc.algorithm.as_str()).map_err(|_| HashError::Malformed)?;
        if let Some(v) = phc.version {
            Version::try_from(v).map_err(|_| HashError::Malformed)?;
        }
        if phc.salt.is_none() || phc.hash.is_none() {
            return Err(HashError::Malformed);
        }
        let params = Params::try_from(&phc).map_err(|_| HashError::Malformed)?;
        if params.m_cost() > MAX_STORED_MEMORY_KIB.max(self.config.memory_kib)
            || params.t_cost() > MAX_STORED_ITERATIONS.max(self.config.iterations)
        {
            return Err(HashError::Malformed);
        }
        Ok(phc)
    }

    /// Whether `password` matches the parsed hash.
    fn matches(&self, password: &[u8], phc: &PhcHash) -> Result<bool, HashError> {
        match PhcVerifier::<PhcHash>::verify_password(&self.argon2, password, phc) {
            Ok(()) => Ok(true),
            Err(PhcError::PasswordInvalid) => Ok(false),
            Err(e) => Err(HashError::Failed(format!(
                "verifying a password failed: {e}"
            ))),
        }
    }

    /// Spends the time of one verification against the dummy hash.
    fn burn(&self, password: &[u8]) {
        // The outcome is irrelevant: the caller answers "no match" regardless.
        let _ = PhcVerifier::<PhcHash>::verify_password(&self.argon2, password, &self.dummy);
    }

    /// Whether a (verified) hash is weaker than what the hasher writes today:
    /// another Argon2 variant, an older version, or less memory, fewer passes
    /// or fewer lanes than configured.
    fn is_weaker(&self, phc: &PhcHash) -> bool {
        let algorithm = Algorithm::try_from(phc.algorithm.as_str()).ok();
        let version = phc.version.and_then(|v| Version::try_from(v).ok());
        let Ok(params) = Params::try_from(phc) else {
            return true;
        };
        algorithm != Some(Algorithm::Argon2id)
            || version != Some(Version::V0x13)
            || params.m_cost() < self.config.memory_kib
            || params.t_cost() < self.config.iterations
            || params.p_cost() < self.config.parallelism
    }
}

fn too_long(password: &Password) -> bool {
    password.expose().chars().count() > Password::MAX_CHARS
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        if too_long(password) {
            return Err(HashError::Failed(format!(
                "the password is longer than {} characters",
                Password::MAX_CHARS
            )));
        }
        let input = Zeroizing::new(password.expose().as_bytes().to_vec());
        self.run(move |inner| {
            inner
                .argon2
                .hash_password(&input)
                .map(|phc| PasswordHash::new(phc.to_string()))
                .map_err(|e| HashError::Failed(format!("hashing a password failed: {e}")))
        })
        .await
    }

    async fn verify(
        &self,
        password: &Password,
        hash: Option<PasswordHash>,
    ) -> Result<PasswordCheck, HashError> {
        const NO_MATCH: PasswordCheck = PasswordCheck {
            matches: false,
            needs_rehash: false,
        };
        // An over-long password cannot match (none can be set); hash an empty
        // one instead so the work stays bounded.
        let refused = too_long(password);
        let input = Zeroizing::new(if refused {
            Vec::new()
        } else {
            password.expose().as_bytes().to_vec()
        });
        self.run(move |inner| {
            let Some(stored) = hash else {
                inner.burn(&input);
                return Ok(NO_MATCH);
            };
            match inner.parse(stored.as_str()) {
                Err(e) => {
                    inner.burn(&input);
                    Err(e)
                }
                Ok(_) if refused => {
                    inner.burn(&input);
                    Ok(NO_MATCH)
                }
                Ok(phc) => {
                    let matches = inner.matches(&input, &phc)?;
                    Ok(PasswordCheck {
                        matches,
                        needs_rehash: matches && inner.is_weaker(&phc),
                    })
                }
            }
        })
        .await
    }
}

impl fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Argon2Hasher")
            .field("params", &self.inner.config)
            .field("max_concurrent", &self.max_concurrent)
            .field("available_permits", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small parameters so the tests run fast.
    const SMALL: Argon2Params = Argon2Params {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };

    fn hasher(params: Argon2Params) -> Argon2Hasher {
        Argon2Hasher::new(params, 2).unwrap()
    }

    async fn hash_of(h: &Argon2Hasher, pw: &str) -> PasswordHash {
        h.hash(&Password::new(pw)).await.unwrap()
    }

    async fn check(h: &Argon2Hasher, pw: &str, hash: Option<PasswordHash>) -> PasswordCheck {
        h.verify(&Password::new(pw), hash).await.unwrap()
    }

    const MATCH: PasswordCheck = PasswordCheck {
        matches: true,
        needs_rehash: false,
    };
    const NO_MATCH: PasswordCheck = PasswordCheck {
        matches: false,
        needs_rehash: false,
    };

    #[tokio::test]
    async fn a_hash_verifies_with_its_password_only() {
        let h = hasher(SMALL);
        let hash = hash_of(&h, "Wald-Läufer7").await;
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert_eq!(check(&h, "Wald-Läufer7", Some(hash.clone())).await, MATCH);
        assert_eq!(
            check(&h, "Wald-Läufer8", Some(hash.clone())).await,
            NO_MATCH
        );
        assert_eq!(check(&h, "wald-läufer7", Some(hash)).await, NO_MATCH);
    }

    #[tokio::test]
    async fn the_default_parameters_are_owasps_and_land_in_the_phc_string() {
        let h = hasher(Argon2Params::default());
        assert_eq!(h.params(), Argon2Params::OWASP);
        let hash = hash_of(&h, "Sommer im Odenwald").await;
        assert!(
            hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.as_str()
        );
        assert_eq!(check(&h, "Sommer im Odenwald", Some(hash)).await, MATCH);

        // A hash with lower parameters verifies and asks for a re-hash.
        let weak = hasher(Argon2Params {
            memory_kib: 8192,
            iterations: 1,
            parallelism: 1,
        });
        let old = hash_of(&weak, "Sommer im Odenwald").await;
        assert_eq!(
            check(&h, "Sommer im Odenwald", Some(old.clone())).await,
            PasswordCheck {
                matches: true,
                needs_rehash: true
            }
        );
        // ... but only after a successful login.
        assert_eq!(check(&h, "Winter im Odenwald", Some(old)).await, NO_MATCH);
    }

    #[tokio::test]
    async fn fewer_passes_lanes_or_another_variant_ask_for_a_rehash() {
        let h = hasher(Argon2Params {
            memory_kib: 1024,
            iterations: 2,
            parallelism: 2,
        });
        let fewer_passes = hash_of(&hasher(SMALL), "pw").await;
        assert!(check(&h, "pw", Some(fewer_passes)).await.needs_rehash);

        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(1024, 2, 2, None).unwrap(),
        )
        .hash_password(b"pw")
        .map(|phc| PasswordHash::new(phc.to_string()))
        .unwrap();
        assert!(argon2i.as_str().starts_with("$argon2i$"));
        assert_eq!(
            check(&h, "pw", Some(argon2i)).await,
            PasswordCheck {
                matches: true,
                needs_rehash: true
            }
        );

        let same = hash_of(&h, "pw").await;
        assert_eq!(check(&h, "pw", Some(same)).await, MATCH);
        // Stronger than configured is fine.
        let stronger = hasher(Argon2Params {
            memory_kib: 2048,
            iterations: 3,
            parallelism: 4,
        });
        let stronger = hash_of(&stronger, "pw").await;
        assert_eq!(check(&h, "pw", Some(stronger)).await, MATCH);
    }

    #[tokio::test]
    async fn no_stored_hash_never_matches() {
        let h = hasher(SMALL);
        assert_eq!(check(&h, "irgendwas", None).await, NO_MATCH);
        assert_eq!(check(&h, "", None).await, NO_MATCH);
        let dummy = String::from_utf8_lossy(DUMMY_PASSWORD).into_owned();
        assert_eq!(check(&h, &dummy, None).await, NO_MATCH);
    }

    #[tokio::test]
    async fn malformed_stored_hashes_are_reported() {
        let h = hasher(SMALL);
        let good = hash_of(&h, "pw").await;
        let without_output = good.as_str().rsplit_once('$').unwrap().0.to_owned();
        for stored in [
            String::new(),
            "not a hash".to_owned(),
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW".to_owned(),
            "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E".to_owned(),
            "$argon2id$v=19$m=19456,t=2,p=1".to_owned(),
            without_output,
            good.as_str().replace("$v=19$", "$v=7$"),
            good.as_str().replace("m=1024", "m=9999999"),
            good.as_str().replace("t=1", "t=0"),
        ] {
            let result = h
                .verify(&Password::new("pw"), Some(PasswordHash::new(stored.clone())))
                .await;
            assert_eq!(result, Err(HashError::Malformed), "{stored}");
        }
    }

    #[tokio::test]
    async fn unicode_and_long_passwords_work() {
        let h = hasher(SMALL);
        for pw in [
            "Grüße-ß-密码".to_owned(),
            "ä".repeat(Password::MAX_CHARS),
            "  leading and trailing spaces count  ".to_owned(),
        ] {
            let hash = hash_of(&h, &pw).await;
            assert_eq!(check(&h, &pw, Some(hash.clone())).await, MATCH);
            assert_eq!(
                check(&h, pw.trim(), Some(hash)).await.matches,
                pw == pw.trim()
            );
        }
        // Unicode is hashed as typed: the NFD form of "ü" is another password.
        let hash = hash_of(&h, "Grüße").await;
        assert_eq!(check(&h, "Gru\u{308}ße", Some(hash)).await, NO_MATCH);
    }

    #[tokio::test]
    async fn passwords_over_the_maximum_are_neither_hashed_nor_matched() {
        let h = hasher(SMALL);
        let too_long = "x".repeat(Password::MAX_CHARS + 1);
        assert!(matches!(
            h.hash(&Password::new(too_long.clone())).await,
            Err(HashError::Failed(_))
        ));
        let hash = hash_of(&h, "x").await;
        assert_eq!(check(&h, &too_long, Some(hash)).await, NO_MATCH);
    }

    #[tokio::test]
    async fn every_hash_has_its_own_salt() {
        let h = hasher(SMALL);
        let a = hash_of(&h, "dasselbe").await;
        let b = hash_of(&h, "dasselbe").await;
        assert_ne!(a, b);
        assert_eq!(check(&h, "dasselbe", Some(a)).await, MATCH);
        assert_eq!(check(&h, "dasselbe", Some(b)).await, MATCH);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_waits_for_permits_and_all_finish() {
        let h = Argon2Hasher::new(SMALL, 1).unwrap();
        let hash = hash_of(&h, "pw").await;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let h = h.clone();
            let hash = hash.clone();
            tasks.push(tokio::spawn(async move {
                let pw = if i % 2 == 0 { "pw" } else { "falsch" };
                h.verify(&Password::new(pw), Some(hash)).await
            }));
        }
        for (i, task) in tasks.into_iter().enumerate() {
            assert_eq!(task.await.unwrap().unwrap().matches, i % 2 == 0);
        }
        assert_eq!(h.permits.available_permits(), 1);
    }

    #[test]
    fn invalid_settings_are_refused() {
        assert!(matches!(
            Argon2Hasher::new(SMALL, 0),
            Err(HashError::Failed(_))
        ));
        for params in [
            Argon2Params {
                memory_kib: 4,
                ..SMALL
            },
            Argon2Params {
                iterations: 0,
                ..SMALL
            },
            Argon2Params {
                parallelism: 0,
                ..SMALL
            },
        ] {
            assert!(
                matches!(Argon2Hasher::new(params, 1), Err(HashError::Failed(_))),
                "{params:?}"
            );
        }
        assert!(Argon2Hasher::default_concurrency() >= 1);
    }

    #[test]
    fn debug_shows_settings_only() {
        let h = hasher(SMALL);
        let shown = format!("{h:?}");
        assert!(shown.contains("memory_kib: 1024"), "{shown}");
        assert!(!shown.contains("argon2id$"), "{shown}");
    }
}
