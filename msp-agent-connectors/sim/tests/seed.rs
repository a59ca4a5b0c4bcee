//! Invariants of the seed world and of generated tickets.

use std::collections::{BTreeSet, HashMap};

use msp_agent_core::domain::{Intent, TenantId, TicketStatus};
use msp_agent_sim::{SimMsp, TENANTS};

fn acme() -> TenantId {
    TenantId::new("acme")
}

#[test]
fn three_tenants_and_enough_of_everything() {
    let sim = SimMsp::seeded();
    let tenants = sim.tenants();
    assert_eq!(
        tenants.iter().map(TenantId::as_str).collect::<Vec<_>>(),
        TENANTS
    );
    let users: usize = tenants.iter().map(|t| sim.users(t).len()).sum();
    assert!(users >= 40, "{users} users");
    let labelled = sim.labelled_tickets();
    assert!(labelled.len() >= 55, "{} tickets", labelled.len());
    for t in &tenants {
        assert!(sim.users(t).len() >= 10);
        assert!(!sim.devices(t).is_empty());
        assert!(!sim.contacts(t).is_empty());
        assert!(labelled.iter().filter(|(tn, ..)| tn == t).count() >= 15);
    }
}

#[test]
fn every_intent_is_present() {
    let sim = SimMsp::seeded();
    let mut counts: HashMap<Intent, usize> = HashMap::new();
    for (_, _, intent) in sim.labelled_tickets() {
        *counts.entry(intent).or_default() += 1;
    }
    for intent in Intent::ALL {
        assert!(
            counts.get(&intent).copied().unwrap_or(0) >= 1,
            "no {intent} ticket"
        );
    }
    let resets = counts[&Intent::PasswordReset] as f64 / sim.labelled_tickets().len() as f64;
    assert!(
        (0.18..=0.40).contains(&resets),
        "password resets are {resets:.2} of the queue"
    );
}

#[test]
fn open_and_closed_tickets() {
    let sim = SimMsp::seeded();
    let open = sim.open_tickets();
    let all = sim.labelled_tickets();
    assert!(open.len() >= 55);
    assert!(open.len() < all.len(), "some history is closed");
    for (t, id) in &open {
        let ticket = sim.ticket(t, id).unwrap();
        assert_ne!(ticket.status, TicketStatus::Closed);
        assert_eq!(&ticket.tenant, t);
    }
    let closed: Vec<_> = all
        .iter()
        .filter(|(t, id, _)| sim.ticket(t, id).unwrap().status == TicketStatus::Closed)
        .collect();
    for (t, id, _) in closed {
        assert!(
            !sim.notes(t, id).is_empty(),
            "closed ticket {id} has the technician's note"
        );
        assert!(!sim.time_entries(t, id).is_empty());
    }
    // Ids are unique across tenants.
    let ids: BTreeSet<_> = all.iter().map(|(_, id, _)| id.clone()).collect();
    assert_eq!(ids.len(), all.len());
}

#[test]
fn requester_is_linked_only_when_the_sender_is_a_contact() {
    let sim = SimMsp::seeded();
    let mut linked = 0;
    let mut unlinked = 0;
    for (t, id, _) in sim.labelled_tickets() {
        let ticket = sim.ticket(&t, &id).unwrap();
        assert!(ticket.requester_email.contains('@'));
        let contact = sim
            .contacts(&t)
            .into_iter()
            .find(|c| c.email.eq_ignore_ascii_case(&ticket.requester_email));
        assert_eq!(ticket.requester, contact.map(|c| c.id), "ticket {id}");
        if ticket.requester.is_some() {
            linked += 1;
        } else {
            unlinked += 1;
        }
    }
    assert!(linked > 40);
    assert!(
        unlinked >= 2,
        "the external CFO look-alike and the contact-less receptionist"
    );
}

#[test]
fn privileged_locked_and_disabled_users_exist() {
    let sim = SimMsp::seeded();
    let all: Vec<_> = sim.tenants().iter().flat_map(|t| sim.users(t)).collect();
    let reason = |needle: &str| {
        all.iter().any(|u| {
            u.privileged
                && u.privilege_reason
                    .as_deref()
                    .is_some_and(|r| r.contains(needle))
        })
    };
    assert!(reason("admin role"));
    assert!(reason("break-glass"));
    assert!(reason("service account"));
    assert!(reason("VIP"));
    assert!(
        all.iter()
            .all(|u| u.privileged == u.privilege_reason.is_some())
    );
    assert!(all.iter().filter(|u| u.state.locked).count() >= 3);
    assert!(all.iter().filter(|u| !u.state.enabled).count() >= 2);
    let ceo = sim
        .user_by_email(&acme(), "sarah.whitfield@acme.example")
        .unwrap();
    assert!(ceo.privileged);
    // Managers exist in the same tenant.
    for t in sim.tenants() {
        for u in sim.users(&t) {
            if let Some(m) = &u.manager {
                assert!(sim.user(&t, m).is_some(), "manager of {}", u.upn);
            }
        }
    }
}

#[tokio::test]
async fn contacts_match_the_directory_with_deliberate_exceptions() {
    let sim = SimMsp::seeded();
    let mut matching = 0;
    let mut no_account = 0;
    let mut differing = 0;
    for t in sim.tenants() {
        for c in sim.contacts(&t) {
            match sim.user_by_email(&t, &c.email) {
                Some(u) if u.mail.eq_ignore_ascii_case(&c.email) => matching += 1,
                Some(_) => differing += 1,
                None => no_account += 1,
            }
        }
    }
    assert!(matching >= 30);
    assert!(no_account >= 2);
    assert!(differing >= 1);
    // bob.smith@ is an alias of robert.smith@: found, but the mail differs.
    let bob = sim
        .capabilities()
        .identity
        .find_user(&acme(), "BOB.SMITH@acme.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.mail, "robert.smith@acme.example");
}

#[test]
fn licences_groups_and_mailboxes() {
    let sim = SimMsp::seeded();
    let visio = sim.license(&acme(), "VISIO_PLAN2").unwrap();
    assert_eq!(visio.consumed, visio.total, "one pool is full");
    for t in sim.tenants() {
        for u in sim.users(&t) {
            for sku in sim.user_licenses(&t, &u.id) {
                let pool = sim
                    .license(&t, &sku)
                    .unwrap_or_else(|| panic!("{sku} of {}", u.upn));
                assert!(pool.consumed <= pool.total);
            }
        }
    }
    let admins = sim.group(&acme(), "Global Admins").unwrap();
    assert!(admins.privileged);
    assert!(sim.group(&acme(), "finance approvers").unwrap().privileged);
    let marketing = sim.group(&acme(), "marketing@acme.example").unwrap();
    assert!(!marketing.privileged);
    assert!(!sim.group_members(&acme(), "All Staff").is_empty());
    assert!(
        !sim.mailbox_permissions(&acme(), "accounts@acme.example")
            .is_empty()
    );
    assert!(
        sim.shared_mailboxes(&acme())
            .iter()
            .any(|(a, _)| a == "accounts@acme.example")
    );
}

#[test]
fn every_user_has_a_password_method_and_humans_have_mfa() {
    use msp_agent_core::domain::AuthMethodKind;
    let sim = SimMsp::seeded();
    for t in sim.tenants() {
        for u in sim.users(&t) {
            let kinds: Vec<_> = sim
                .auth_methods(&t, &u.id)
                .into_iter()
                .map(|m| m.kind)
                .collect();
            assert!(kinds.contains(&AuthMethodKind::Password));
            if !u.privileged {
                assert!(kinds.contains(&AuthMethodKind::Authenticator), "{}", u.upn);
            }
            if sim.mobile(&t, &u.id).is_some() && !u.privileged {
                assert!(kinds.contains(&AuthMethodKind::Phone), "{}", u.upn);
            }
        }
    }
}

#[tokio::test]
async fn documentation_per_tenant() {
    let sim = SimMsp::seeded();
    let docs = sim.capabilities().docs;
    for t in sim.tenants() {
        for (query, title) in [
            ("vpn", "VPN remote access guide"),
            ("printer", "Printer troubleshooting SOP"),
            ("onboarding new starter", "New starter onboarding standard"),
            ("password policy", "Password and account lockout policy"),
        ] {
            let hits = docs.search(&t, query, 3).await.unwrap();
            assert_eq!(
                hits.first().map(|d| d.title.as_str()),
                Some(title),
                "{t}: {query}"
            );
            assert!(hits.iter().all(|d| d.tenant == t));
        }
        for name in ["onboarding_template", "offboarding", "software_catalogue"] {
            assert!(
                docs.client_configuration(&t, name).await.unwrap().is_some(),
                "{t}: {name}"
            );
        }
        let template = docs
            .client_configuration(&t, "onboarding_template")
            .await
            .unwrap()
            .unwrap();
        for key in ["licenses", "groups", "mailbox", "apps"] {
            assert!(
                template.get(key).is_some(),
                "{t}: onboarding_template.{key}"
            );
        }
        assert!(docs.vault_secret(&t, "guest-wifi").await.is_ok());
    }
}

#[tokio::test]
async fn hard_cases_are_in_the_queue() {
    let sim = SimMsp::seeded();
    let psa = sim.capabilities().tickets;
    let find = |text: &str| {
        let psa = psa.clone();
        let text = text.to_owned();
        async move {
            let q = msp_agent_core::capability::TicketQuery {
                text: Some(text.clone()),
                ..Default::default()
            };
            psa.search_tickets(&acme(), &q)
                .await
                .unwrap()
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("{text}"))
        }
    };
    let cfo = find("wire transfer").await;
    assert!(
        cfo.requester.is_none(),
        "external sender claiming to be the CFO"
    );
    let other = find("sarah.whitfield@acme.example").await;
    assert!(
        other.requester.is_some(),
        "a real contact asking for someone else's password"
    );
    let admin = find("adm.praman@acme.example").await;
    assert!(
        sim.user_by_email(&acme(), "adm.praman@acme.example")
            .unwrap()
            .privileged
    );
    assert_eq!(admin.requester_email, "priya.raman@acme.example");
    let phishing = find("m1crosoft").await;
    let label = sim
        .labelled_tickets()
        .into_iter()
        .find(|(_, id, _)| *id == phishing.id)
        .unwrap()
        .2;
    assert_eq!(label, Intent::SecurityIncident);
    let printer = find("password for the printer").await;
    let label = sim
        .labelled_tickets()
        .into_iter()
        .find(|(_, id, _)| *id == printer.id)
        .unwrap()
        .2;
    assert_eq!(label, Intent::PrinterIssue);
}

#[test]
fn seed_is_deterministic() {
    let a = SimMsp::seeded();
    let b = SimMsp::seeded();
    assert_eq!(a.labelled_tickets(), b.labelled_tickets());
    for t in a.tenants() {
        assert_eq!(a.users(&t), b.users(&t));
        assert_eq!(a.contacts(&t), b.contacts(&t));
        assert_eq!(a.devices(&t), b.devices(&t));
    }
    let (t, id, _) = a.labelled_tickets().remove(10);
    assert_eq!(a.ticket(&t, &id), b.ticket(&t, &id));
}

#[test]
fn generated_tickets_are_deterministic_and_mostly_verified_resets() {
    let n = 2_000;
    let a = SimMsp::seeded().with_generated_tickets(n, 42);
    let b = SimMsp::seeded().with_generated_tickets(n, 42);
    let c = SimMsp::seeded().with_generated_tickets(n, 43);
    let seeded = SimMsp::seeded().labelled_tickets().len();
    assert_eq!(a.labelled_tickets().len(), seeded + n);
    assert_eq!(a.labelled_tickets(), b.labelled_tickets());
    let generated = |s: &SimMsp| -> Vec<(String, String)> {
        s.labelled_tickets()[seeded..]
            .iter()
            .map(|(t, id, _)| {
                let ticket = s.ticket(t, id).unwrap();
                (ticket.subject, ticket.body)
            })
            .collect()
    };
    assert_eq!(generated(&a), generated(&b));
    assert_ne!(generated(&a), generated(&c));

    let labels = &a.labelled_tickets()[seeded..];
    let share = |i: Intent| labels.iter().filter(|x| x.2 == i).count() as f64 / n as f64;
    assert!(
        (0.35..0.50).contains(&share(Intent::PasswordReset)),
        "{}",
        share(Intent::PasswordReset)
    );
    assert!(
        (0.12..0.22).contains(&share(Intent::AccountUnlock)),
        "{}",
        share(Intent::AccountUnlock)
    );
    let linked = labels
        .iter()
        .filter(|(t, id, _)| a.ticket(t, id).unwrap().requester.is_some())
        .count() as f64
        / n as f64;
    assert!(linked > 0.9, "{linked}");
    assert!(a.open_tickets().len() >= n);

    // Subject and body of one ticket name the same list.
    for (t, id, _) in labels
        .iter()
        .filter(|x| x.2 == Intent::DistributionListAccess)
    {
        let ticket = a.ticket(t, id).unwrap();
        if let Some(name) = ticket.subject.strip_prefix("Add me to ") {
            let mail = a.group(t, name).unwrap().mail.unwrap();
            if ticket.body.contains('@') {
                assert!(
                    ticket.body.contains(&mail),
                    "{}\n{}",
                    ticket.subject,
                    ticket.body
                );
            }
        }
    }
}

#[test]
fn add_ticket_links_the_requester() {
    let sim = SimMsp::seeded();
    let id = sim
        .add_ticket(
            &acme(),
            "Tom.Brennan@acme.example",
            "Locked out",
            "locked again",
            Intent::AccountUnlock,
        )
        .unwrap();
    let ticket = sim.ticket(&acme(), &id).unwrap();
    assert_eq!(ticket.requester.unwrap().as_str(), "c-1007");
    assert_eq!(sim.open_tickets().last().unwrap().1, id);
    assert!(
        sim.add_ticket(&TenantId::new("nope"), "a@b.c", "s", "b", Intent::Other)
            .is_err()
    );
}
