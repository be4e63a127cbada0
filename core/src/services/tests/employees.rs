use time::macros::date;

use super::*;
use crate::access::{AccessLevel, Area, Permissions};
use crate::audit::{AuditAction, AuditTarget};
use crate::authz::{AccessError, Actor};
use crate::employee::{Contact, Employee, Employment, PersonalData, Salutation};
use crate::id::ReferenceId;
use crate::id::{EmployeeId, UserId};
use crate::ports::{
    EmployeeStore, MockEmployeeStore, Page, PageRequest, Precondition, Version, Versioned,
};
use crate::scope::Criterion;
use crate::services::employees::{EmployeeInput, EmployeeService};
use crate::services::references::ReferenceError;
use crate::tenant::{TenantError, TenantStatus};
use crate::values::Name;

const OLD_LAST_NAME: &str = "Weiß";
const NEW_LAST_NAME: &str = "Zauberlehrling";

fn id(n: u8) -> EmployeeId {
    EmployeeId::from_bytes([n; 16])
}

fn input(location: &str) -> EmployeeInput {
    EmployeeInput {
        personal: PersonalData {
            salutation: Salutation::Frau,
            first_name: Name::new("Jürgen").unwrap(),
            last_name: Name::new(OLD_LAST_NAME).unwrap(),
            title: None,
            birth_date: Some(date!(1990 - 02 - 28)),
            birth_place: Some(Name::new("Bielefeld").unwrap()),
        },
        contact: Contact::default(),
        employment: Employment {
            entry_date: Some(date!(2015 - 04 - 01)),
            exit_date: Some(date!(2024 - 03 - 31)),
            ..Employment::default()
        },
        org: located_in(location),
    }
}

fn employee(n: u8, location: &str) -> Employee {
    let i = input(location);
    Employee {
        id: id(n),
        tenant: tenant_id(),
        personal: i.personal,
        contact: i.contact,
        employment: i.employment,
        org: i.org,
    }
}

/// A user in Köln with `level` on Employees.
fn actor(level: AccessLevel) -> Actor {
    Actor::new(
        tenant_id(),
        UserId::from_bytes([0x66; 16]),
        Permissions::none().with(Area::Employees, level),
        false,
        scope_of("Köln"),
    )
}

/// The memory store with the tenant (in `status`) and `stored`.
struct World {
    store: MemoryStore,
}

impl World {
    fn new(stored: Vec<Employee>) -> Self {
        Self::with(TenantStatus::Active, stored)
    }

    fn with(status: TenantStatus, stored: Vec<Employee>) -> Self {
        Self {
            store: seeded_in(status, stored.into_iter().map(Write::InsertEmployee)),
        }
    }

    /// The employee as stored now, at its version.
    fn stored(&self, id: EmployeeId) -> Option<Versioned<Employee>> {
        run(self.store.employee(tenant_id(), id)).unwrap()
    }
}

/// Runs `f` against the world with a recording unit of work; returns its result
/// and what was committed.
fn with_service<T>(
    world: &World,
    f: impl FnOnce(&EmployeeService<'_>) -> T,
) -> (T, Vec<ChangeSet>) {
    with_service_over(world, &world.store, f)
}

/// [`with_service`] with another employee port.
fn with_service_over<T>(
    world: &World,
    employees: &dyn EmployeeStore,
    f: impl FnOnce(&EmployeeService<'_>) -> T,
) -> (T, Vec<ChangeSet>) {
    let uow = Recording::new(&world.store);
    let (clock, random) = (clock_at(t0()), counting_random());
    let service = EmployeeService {
        tenants: &world.store,
        employees,
        uow: &uow,
        clock: &clock,
        random: &random,
    };
    let result = f(&service);
    (result, uow.commits())
}

/// A store that answers every question about employees with `leaked`, whatever
/// the tenant, id or scope asked for.
fn leaky(leaked: Vec<Employee>) -> MockEmployeeStore {
    let mut employees = MockEmployeeStore::new();
    let by_id = leaked.clone();
    employees.expect_employee().returning(move |_, id| {
        Ok(by_id
            .iter()
            .find(|e| e.id == id)
            .cloned()
            .map(|value| Versioned {
                value,
                version: Version(1),
            }))
    });
    employees.expect_employees().returning(move |_, _, _| {
        Ok(Page {
            items: leaked.clone(),
            next: None,
        })
    });
    employees
}

fn forbidden(needed: AccessLevel) -> ReferenceError {
    ReferenceError::Access(AccessError::Forbidden {
        area: Area::Employees,
        needed,
    })
}

#[test]
fn reading_employees_needs_read_access_to_employees() {
    let world = World::new(vec![employee(1, "Köln")]);
    let nobody = actor(AccessLevel::None);
    let (r, c) = with_service(&world, |s| {
        (
            run(s.list(&nobody, PageRequest::first(50))).map(|p| p.items.len()),
            run(s.get(&nobody, id(1))).map(|e| e.value.id),
        )
    });
    assert_eq!(r.0, Err(forbidden(AccessLevel::Read)));
    assert_eq!(r.1, Err(forbidden(AccessLevel::Read)));
    assert!(c.is_empty());

    let reader = actor(AccessLevel::Read);
    let (r, _) = with_service(&world, |s| {
        (
            run(s.list(&reader, PageRequest::first(50))).map(|p| p.items.len()),
            run(s.get(&reader, id(1))).map(|e| e.value.id),
        )
    });
    assert_eq!(r, (Ok(1), Ok(id(1))));
}

#[test]
fn changing_employees_needs_read_write_and_a_reader_commits_nothing() {
    let world = World::new(vec![employee(1, "Köln")]);
    let reader = actor(AccessLevel::Read);
    let (r, c) = with_service(&world, |s| {
        [
            run(s.create(&reader, input("Köln"), None)).map(|_| ()),
            run(s.update(&reader, id(1), input("Köln"), None, None)).map(|_| ()),
            run(s.delete(&reader, id(1), None)),
        ]
    });
    for result in r {
        assert_eq!(result, Err(forbidden(AccessLevel::ReadWrite)));
    }
    assert!(c.is_empty());

    let writer = actor(AccessLevel::ReadWrite);
    let (r, c) = with_service(&world, |s| run(s.create(&writer, input("Köln"), None)));
    let created = r.unwrap();
    assert_eq!(created.tenant, tenant_id());
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].writes()[0], Write::InsertEmployee(created.clone()));
    assert_eq!(
        world.stored(created.id).map(|e| e.value),
        Some(created.clone())
    );
    let events = logged(&world.store);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, AuditAction::EmployeeCreated);
    assert_eq!(events[0].target, AuditTarget::Employee(created.id));
}

#[test]
fn an_employee_outside_the_scope_is_not_found_like_a_missing_one() {
    let world = World::new(vec![employee(2, "Bonn")]);
    seed_foreign(&world.store, employee(3, "Köln"));
    let hr = actor(AccessLevel::ReadWrite);
    for target in [id(2), id(3), id(9)] {
        let (r, c) = with_service(&world, |s| {
            [
                run(s.get(&hr, target)).map(|_| ()),
                run(s.update(&hr, target, input("Köln"), None, None)).map(|_| ()),
                run(s.delete(&hr, target, None)),
            ]
        });
        for result in r {
            assert_eq!(
                result,
                Err(ReferenceError::Access(AccessError::NotFound)),
                "{target:?}"
            );
        }
        assert!(c.is_empty());
    }
    let (listed, _) = with_service(&world, |s| run(s.list(&hr, PageRequest::first(50))));
    assert!(listed.unwrap().items.iter().all(|e| e.id != id(2)));
}

#[test]
fn nobody_creates_or_moves_an_employee_out_of_their_scope() {
    let world = World::new(vec![employee(1, "Köln")]);
    let hr = actor(AccessLevel::ReadWrite);
    let (r, c) = with_service(&world, |s| {
        (
            run(s.create(&hr, input("Bonn"), None)).map(|_| ()),
            run(s.update(&hr, id(1), input("Bonn"), None, None)).map(|_| ()),
        )
    });
    assert_eq!(r.0, Err(ReferenceError::OutsideScope));
    assert_eq!(r.1, Err(ReferenceError::OutsideScope));
    assert!(c.is_empty());
}

#[test]
fn inconsistent_dates_are_invalid_and_nothing_is_written() {
    let world = World::new(vec![employee(1, "Köln")]);
    let hr = actor(AccessLevel::ReadWrite);
    let mut exit_before_entry = input("Köln");
    exit_before_entry.employment.exit_date = Some(date!(2014 - 01 - 31));
    let mut born_after_entry = input("Köln");
    born_after_entry.personal.birth_date = Some(date!(2016 - 01 - 01));
    let (r, c) = with_service(&world, |s| {
        [
            run(s.create(&hr, exit_before_entry.clone(), None)).map(|_| ()),
            run(s.update(&hr, id(1), exit_before_entry, None, None)).map(|_| ()),
            run(s.create(&hr, born_after_entry, None)).map(|_| ()),
        ]
    });
    for result in r {
        assert!(
            matches!(result, Err(ReferenceError::Invalid { .. })),
            "{result:?}"
        );
    }
    assert!(c.is_empty());
}

#[test]
fn deleting_names_the_precondition_and_a_named_employee_is_still_named() {
    let world = World::new(vec![employee(1, "Köln")]);
    let hr = actor(AccessLevel::ReadWrite);
    let (r, c) = with_service(&world, |s| run(s.delete(&hr, id(1), None)));
    assert_eq!(r, Ok(()));
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].writes()[0], Write::DeleteEmployee(id(1)));
    assert_eq!(
        c[0].preconditions(),
        &[Precondition::EmployeeUnreferenced(id(1))]
    );
    assert_eq!(world.stored(id(1)), None);
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::EmployeeDeleted]
    );

    // An employee a reference names stays.
    let world = World::new(vec![employee(1, "Köln")]);
    let mut named = ChangeSet::new(tenant_id());
    named.push(Write::InsertReference(draft(
        ReferenceId::from_bytes([1; 16]),
        id(1),
        UserId::from_bytes([0x66; 16]),
    )));
    run(world.store.commit(named)).unwrap();
    let (r, c) = with_service(&world, |s| run(s.delete(&hr, id(1), None)));
    assert_eq!(r, Err(ReferenceError::StillNamed));
    assert!(c.is_empty());
    assert!(world.stored(id(1)).is_some());
}

#[test]
fn the_change_audit_names_the_changed_fields_but_never_their_values() {
    let world = World::new(vec![employee(1, "Köln")]);
    let hr = actor(AccessLevel::ReadWrite);
    let mut changed = input("Köln");
    changed.personal.last_name = Name::new(NEW_LAST_NAME).unwrap();
    changed.personal.birth_place = Some(Name::new("Castrop-Rauxel").unwrap());
    let read = world.stored(id(1)).unwrap().version;
    let (r, c) = with_service(&world, |s| {
        run(s.update(&hr, id(1), changed, Some(read), None))
    });
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(c.len(), 1);
    let Write::UpdateEmployee(_, v) = &c[0].writes()[0] else {
        panic!("employee not updated")
    };
    assert_eq!(*v, read, "updated at the version read");
    let stored = world.stored(id(1)).unwrap().value;
    assert_eq!(stored.personal.last_name.as_str(), NEW_LAST_NAME);
    let events = logged(&world.store);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.action, AuditAction::EmployeeChanged);
    assert_eq!(event.target, AuditTarget::Employee(id(1)));
    let fields: Vec<&str> = event.changes.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["last_name", "birth_place"]);
    assert!(
        event
            .changes
            .iter()
            .all(|f| f.before.is_none() && f.after.is_none())
    );
    let json = serde_json::to_string(event).unwrap();
    let debug = format!("{event:?}");
    for personal in [NEW_LAST_NAME, OLD_LAST_NAME, "Castrop-Rauxel", "Bielefeld"] {
        assert!(!json.contains(personal), "{personal} in {json}");
        assert!(!debug.contains(personal), "{personal} in {debug}");
    }
}

#[test]
fn an_update_against_a_stale_version_is_a_conflict() {
    let world = World::new(vec![employee(1, "Köln")]);
    let hr = actor(AccessLevel::ReadWrite);
    let read = world.stored(id(1)).unwrap().version;
    let mut changed = input("Köln");
    changed.personal.last_name = Name::new(NEW_LAST_NAME).unwrap();
    let (r, _) = with_service(&world, |s| {
        run(s.update(&hr, id(1), changed, Some(read), None))
    });
    assert!(r.is_ok(), "{r:?}");
    let (r, c) = with_service(&world, |s| {
        run(s.update(&hr, id(1), input("Köln"), Some(read), None))
    });
    assert!(matches!(r, Err(ReferenceError::Conflict(_))), "{r:?}");
    assert!(c.is_empty());
    assert_eq!(
        world
            .stored(id(1))
            .unwrap()
            .value
            .personal
            .last_name
            .as_str(),
        NEW_LAST_NAME
    );
}

#[test]
fn a_read_only_tenant_refuses_every_change_but_can_still_be_read() {
    let world = World::with(read_only(), vec![employee(1, "Köln")]);
    let hr = actor(AccessLevel::ReadWrite);
    let (r, c) = with_service(&world, |s| {
        [
            run(s.create(&hr, input("Köln"), None)).map(|_| ()),
            run(s.update(&hr, id(1), input("Köln"), None, None)).map(|_| ()),
            run(s.delete(&hr, id(1), None)),
        ]
    });
    for result in r {
        assert_eq!(result, Err(ReferenceError::Tenant(TenantError::ReadOnly)));
    }
    assert!(c.is_empty());
    let (read, _) = with_service(&world, |s| run(s.get(&hr, id(1))));
    assert_eq!(read.map(|e| e.value.id), Ok(id(1)));
}

#[test]
fn a_list_shows_nothing_outside_the_scope_even_when_the_query_lets_it_through() {
    // A store whose scope condition is broken (it returns every record): the
    // service's visibility filter still drops what the actor may not see.
    let world = World::new(vec![]);
    let leaky = leaky(vec![employee(1, "Köln"), employee(2, "München")]);
    let (page, _) = with_service_over(&world, &leaky, |s| {
        run(s.list(&actor(AccessLevel::Read), PageRequest::first(10)))
    });
    let ids: Vec<EmployeeId> = page.unwrap().items.iter().map(|e| e.id).collect();
    assert_eq!(ids, [id(1)]);
}

#[test]
fn an_employee_of_another_organisation_is_not_found_even_when_the_store_returns_it() {
    let mut foreign = employee(3, "Köln");
    foreign.tenant = crate::id::TenantId::from_bytes([0x99; 16]);
    let world = World::new(vec![]);
    let leaky = leaky(vec![foreign]);
    let (r, _) = with_service_over(&world, &leaky, |s| {
        run(s.get(&actor(AccessLevel::Read), id(3)))
    });
    assert!(
        matches!(r, Err(ReferenceError::Access(AccessError::NotFound))),
        "{r:?}"
    );
}

/// `employee` in another organisation, stored.
fn seed_foreign(store: &MemoryStore, mut employee: Employee) {
    let other = crate::id::TenantId::from_bytes([0x99; 16]);
    employee.tenant = other;
    let mut changes = ChangeSet::new(other);
    changes
        .push(Write::InsertTenant(crate::tenant::Tenant {
            id: other,
            slug: crate::values::Slug::parse("andere").unwrap(),
            ..tenant(TenantStatus::Active)
        }))
        .push(Write::InsertEmployee(employee));
    run(store.commit(changes)).unwrap();
}

fn named(n: u8, first: &str, last: &str, location: &str) -> Employee {
    let mut e = employee(n, location);
    e.personal.first_name = Name::new(first).unwrap();
    e.personal.last_name = Name::new(last).unwrap();
    e
}

#[test]
fn the_name_search_finds_within_the_scope_only_and_needs_two_characters() {
    let world = World::new(vec![
        named(1, "Anna", "Weiß", "Köln"),
        named(2, "Karl", "Weißbach", "Köln"),
        named(3, "Heinz", "Weißmann", "Bonn"),
        named(4, "Clara", "Domplatz", "Köln"),
    ]);
    let hr = actor(AccessLevel::Read);
    let (found, commits) = with_service(&world, |s| run(s.search(&hr, " wEIß ", 20)));
    let ids: Vec<EmployeeId> = found.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(
        ids,
        vec![id(1), id(2)],
        "Bonn's Weißmann is outside the scope"
    );
    assert!(commits.is_empty());
    let (found, _) = with_service(&world, |s| run(s.search(&hr, "anna weiß", 20)));
    assert_eq!(found.unwrap().len(), 1, "first and last name together");
    let (found, _) = with_service(&world, |s| run(s.search(&hr, "weiß", 1)));
    assert_eq!(found.unwrap().len(), 1, "at most the limit");
    let (short, _) = with_service(&world, |s| run(s.search(&hr, "w", 20)));
    assert!(
        matches!(&short, Err(ReferenceError::Invalid { field: Some(f), .. }) if f == "q"),
        "{short:?}"
    );
    let (none, _) = with_service(&world, |s| {
        run(s.search(&actor(AccessLevel::None), "weiß", 20))
    });
    assert!(matches!(none, Err(ReferenceError::Access(_))), "{none:?}");
}

#[test]
fn a_place_filter_narrows_the_list_and_the_search_and_never_widens_the_scope() {
    let mut sales = named(2, "Karl", "Weißbach", "Köln");
    sales.org.department = Some(Name::new("Vertrieb").unwrap());
    let world = World::new(vec![
        named(1, "Anna", "Weiß", "Köln"),
        sales,
        named(3, "Heinz", "Weißmann", "Bonn"),
    ]);
    let hr = actor(AccessLevel::Read);
    let at = |criterion, value: &str| [(criterion, Name::new(value).unwrap())];
    let ids = |page: Vec<crate::authz::Visible<Employee>>| -> Vec<EmployeeId> {
        page.iter().map(|e| e.id).collect()
    };
    let department = at(Criterion::Department, "Vertrieb");
    let (page, _) = with_service(&world, |s| {
        run(s.list_at(&hr, &department, PageRequest::first(50)))
    });
    assert_eq!(ids(page.unwrap().items), vec![id(2)]);
    let (found, _) = with_service(&world, |s| run(s.search_at(&hr, "weiß", &department, 20)));
    assert_eq!(ids(found.unwrap()), vec![id(2)]);
    let koeln = at(Criterion::Location, "Köln");
    let (page, _) = with_service(&world, |s| {
        run(s.list_at(&hr, &koeln, PageRequest::first(50)))
    });
    assert_eq!(ids(page.unwrap().items), vec![id(1), id(2)]);
    let bonn = at(Criterion::Location, "Bonn");
    let (page, _) = with_service(&world, |s| {
        run(s.list_at(&hr, &bonn, PageRequest::first(50)))
    });
    assert!(page.unwrap().items.is_empty(), "Bonn is outside the scope");
}
