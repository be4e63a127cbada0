//! The whole suite against the core's in-memory store: one test per case, and
//! once through `run_all`.

use zeugnis_core::memory::MemoryStore;

zeugnis_conformance::conformance_tests!(async { Some(MemoryStore::new()) });

#[tokio::test]
async fn run_all_reports_every_case_passed_on_the_memory_store() {
    let report = zeugnis_conformance::run_all(|| async { Some(MemoryStore::new()) }).await;
    assert!(report.is_success(), "{report}");
    assert_eq!(report.passed, zeugnis_conformance::CASES);
}
