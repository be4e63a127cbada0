//! zeugnis core (placeholder while the domain is written).
