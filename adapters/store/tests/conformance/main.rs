//! The storage conformance suite: every case runs unchanged against SQLite (a
//! fresh file per test) and Postgres (a fresh database per test, when
//! `ZEUGNIS_TEST_POSTGRES_URL` is set; under `CI=true` it must be).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "test helpers fail the test loudly"
)]

mod cases;
mod fixtures;
mod harness;

conformance!(
    tenant_user_role_and_credential_round_trip,
    employee_and_reference_round_trip,
    a_failing_write_leaves_nothing_behind,
    foreign_tenant_ids_find_nothing_and_change_nothing,
    unique_values_and_stale_versions_are_conflicts,
    deleting_a_reference_leaves_no_orphan,
    a_referenced_employee_cannot_be_deleted,
    the_last_administrator_cannot_be_demoted,
    ciphertext_moved_to_another_row_or_tenant_is_detected,
    no_plaintext_name_or_content_in_the_database,
    a_destroyed_tenant_key_makes_data_gone,
    a_wrong_master_key_is_refused_at_open,
    rotation_rewraps_tenant_keys_under_the_new_master_key,
    scope_and_private_flag_are_applied_in_the_query,
    audit_entries_form_a_verifiable_chain,
    purging_a_tenant_leaves_no_row,
    outbox_messages_commit_with_their_change_and_are_claimed_once,
    an_outbox_message_whose_key_does_not_open_waits_and_lets_others_through,
    commits_are_durable_and_foreign_keys_enforced,
    a_schema_from_a_newer_version_is_refused,
    action_links_work_once_and_sessions_end_per_user,
    phrase_library_formatting_and_generated_fingerprint_round_trip,
    only_one_first_start_setup_commits_even_at_once,
);
