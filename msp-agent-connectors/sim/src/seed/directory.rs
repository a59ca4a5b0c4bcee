//! Seed tables: directory users, PSA contacts, groups, shared mailboxes, licences.

use msp_agent_core::capability::MailboxPermission;
use msp_agent_core::capability::MailboxPermission::{FullAccess, SendAs};

use super::{ACME, GLOBEX, INITECH};

/// Sign-in state of a seed user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum St {
    /// Enabled, not locked.
    Ok,
    /// Enabled, locked out.
    Locked,
    /// Sign-in disabled (leaver).
    Disabled,
}

/// Why a seed user is privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pv {
    /// Not privileged.
    No,
    /// Holds an admin role.
    Admin(&'static str),
    /// Emergency-access (break-glass) account.
    BreakGlass,
    /// Service account.
    Service(&'static str),
    /// Flagged VIP.
    Vip(&'static str),
}

/// The PSA contact of a seed user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ct {
    /// A contact with the directory mail address.
    Same,
    /// A contact whose e-mail differs from the directory mail (an alias of the user).
    Alias(&'static str),
    /// No PSA contact.
    None,
}

/// One directory user.
pub(crate) struct UserRow {
    pub tenant: &'static str,
    pub id: &'static str,
    pub name: &'static str,
    pub mail: &'static str,
    pub title: &'static str,
    pub manager: Option<&'static str>,
    pub mobile: Option<&'static str>,
    pub state: St,
    pub privilege: Pv,
    pub licenses: &'static [&'static str],
    pub contact: Ct,
}

#[allow(clippy::too_many_arguments)]
const fn u(
    tenant: &'static str,
    id: &'static str,
    name: &'static str,
    mail: &'static str,
    title: &'static str,
    manager: Option<&'static str>,
    mobile: Option<&'static str>,
    state: St,
    privilege: Pv,
    licenses: &'static [&'static str],
    contact: Ct,
) -> UserRow {
    UserRow {
        tenant,
        id,
        name,
        mail,
        title,
        manager,
        mobile,
        state,
        privilege,
        licenses,
        contact,
    }
}

const M365: &[&str] = &["SPB"];
const E3: &[&str] = &["SPE_E3"];
const NONE: &[&str] = &[];
use Ct::{Alias, Same};
use Pv::{Admin, BreakGlass, No, Service, Vip};
use St::{Disabled, Locked};

/// Directory users. The contact id of a user `u-NNNN` is `c-NNNN`.
#[rustfmt::skip]
pub(crate) const USERS: &[UserRow] = &[
    // tenant, id,      display name,               mail / UPN,                          title,                                  manager,        mobile,                    state,       privilege,                                   licences,                         PSA contact
    u(ACME, "u-1001", "Sarah Whitfield",           "sarah.whitfield@acme.example",       "Chief Executive Officer",              None,           Some("+1 555 010 0101"), St::Ok,   Vip("VIP: chief executive officer"),        M365,                             Same),
    u(ACME, "u-1002", "Daniel Okafor",             "daniel.okafor@acme.example",         "Chief Financial Officer",              Some("u-1001"), Some("+1 555 010 0102"), St::Ok,   Vip("VIP: chief financial officer"),        &["SPB", "POWER_BI_PRO"],         Same),
    u(ACME, "u-1003", "Priya Raman",               "priya.raman@acme.example",           "IT Manager",                           Some("u-1001"), Some("+1 555 010 0103"), St::Ok,   No,                                         &["SPB", "VISIO_PLAN2"],          Same),
    u(ACME, "u-1004", "Priya Raman (Admin)",       "adm.praman@acme.example",            "IT Manager (admin account)",           Some("u-1003"), None,                    St::Ok,   Admin("admin role: Global Administrator"),  NONE,                             Ct::None),
    u(ACME, "u-1005", "Emergency Access 01",       "breakglass01@acme.example",          "Emergency access account",             None,           None,                    St::Ok,   BreakGlass,                                 NONE,                             Ct::None),
    u(ACME, "u-1006", "Scan to Email",             "svc-scan2mail@acme.example",         "Service account: copier scan-to-email", Some("u-1003"), None,                   St::Ok,   Service("service account: copier SMTP relay"), &["EXCHANGESTANDARD"],         Ct::None),
    u(ACME, "u-1007", "Tom Brennan",               "tom.brennan@acme.example",           "Sales Executive",                      Some("u-1001"), Some("+1 555 010 0107"), Locked,   No,                                         M365,                             Same),
    u(ACME, "u-1008", "Maria Gonzalez",            "maria.gonzalez@acme.example",        "Accounts Payable Clerk",               Some("u-1017"), Some("+1 555 010 0108"), St::Ok,   No,                                         M365,                             Same),
    u(ACME, "u-1009", "Kevin Liu",                 "kevin.liu@acme.example",             "Warehouse Supervisor",                 Some("u-1019"), None,                    St::Ok,   No,                                         M365,                             Same),
    u(ACME, "u-1010", "Jessica Park",              "jessica.park@acme.example",          "Marketing Coordinator",                Some("u-1001"), Some("+1 555 010 0110"), St::Ok,   No,                                         M365,                             Same),
    u(ACME, "u-1011", "Robert Smith",              "robert.smith@acme.example",          "Maintenance Technician",               Some("u-1019"), Some("+1 555 010 0111"), St::Ok,   No,                                         M365,                             Alias("bob.smith@acme.example")),
    u(ACME, "u-1012", "Linda Chow",                "linda.chow@acme.example",            "HR Manager",                           Some("u-1001"), Some("+1 555 010 0112"), St::Ok,   No,                                         M365,                             Same),
    u(ACME, "u-1013", "Greg Novak",                "greg.novak@acme.example",            "Sales Executive (left 14 March)",      Some("u-1001"), Some("+1 555 010 0113"), Disabled, No,                                         NONE,                             Same),
    u(ACME, "u-1014", "Aisha Bello",               "aisha.bello@acme.example",           "Sales Executive",                      Some("u-1001"), Some("+1 555 010 0114"), Locked,   No,                                         M365,                             Same),
    u(ACME, "u-1015", "Ethan Moore",               "ethan.moore@acme.example",           "Design Engineer",                      Some("u-1019"), Some("+1 555 010 0115"), St::Ok,   No,                                         M365,                             Same),
    u(ACME, "u-1016", "Olivia Grant",              "olivia.grant@acme.example",          "Executive Assistant",                  Some("u-1001"), Some("+1 555 010 0116"), St::Ok,   No,                                         M365,                             Same),
    u(ACME, "u-1017", "Marcus Reid",               "marcus.reid@acme.example",           "Financial Controller",                 Some("u-1002"), Some("+1 555 010 0117"), St::Ok,   No,                                         &["SPB", "POWER_BI_PRO"],         Same),
    u(ACME, "u-1018", "Nina Patel",                "nina.patel@acme.example",            "Receptionist",                         Some("u-1016"), Some("+1 555 010 0118"), St::Ok,   No,                                         M365,                             Ct::None),
    u(ACME, "u-1019", "Frank Delgado",             "frank.delgado@acme.example",         "Operations Manager",                   Some("u-1001"), Some("+1 555 010 0119"), St::Ok,   No,                                         &["SPB", "VISIO_PLAN2"],          Same),
    u(ACME, "u-1020", "Sam Porter",                "sam.porter@acme.example",            "Warehouse Operative",                  Some("u-1019"), Some("+1 555 010 0120"), St::Ok,   No,                                         M365,                             Same),

    u(GLOBEX, "u-2001", "Hank Scorpio",            "hank.scorpio@globex.example",        "Chief Executive Officer",              None,           Some("+44 7700 900101"), St::Ok,   Vip("VIP: chief executive officer"),        &["SPE_E5"],                      Same),
    u(GLOBEX, "u-2002", "Claire Donnelly",         "claire.donnelly@globex.example",     "Finance Director",                     Some("u-2001"), Some("+44 7700 900102"), St::Ok,   No,                                         &["SPE_E3", "POWER_BI_PRO"],      Same),
    u(GLOBEX, "u-2003", "Oliver Hughes",           "oliver.hughes@globex.example",       "IT & Facilities Lead",                 Some("u-2001"), Some("+44 7700 900103"), St::Ok,   Admin("admin role: User Administrator"),    E3,                               Same),
    u(GLOBEX, "u-2004", "Break Glass",             "breakglass@globex.example",          "Emergency access account",             None,           None,                    St::Ok,   BreakGlass,                                 NONE,                             Ct::None),
    u(GLOBEX, "u-2005", "Veeam Backup",            "svc-veeam@globex.example",           "Service account: Veeam backup",        Some("u-2003"), None,                    St::Ok,   Service("service account: backup jobs"),    NONE,                             Ct::None),
    u(GLOBEX, "u-2006", "Emily Carter",            "emily.carter@globex.example",        "Account Manager",                      Some("u-2001"), Some("+44 7700 900106"), Locked,   No,                                         E3,                               Same),
    u(GLOBEX, "u-2007", "James Whitaker",          "james.whitaker@globex.example",      "Accountant",                           Some("u-2002"), Some("+44 7700 900107"), St::Ok,   No,                                         E3,                               Same),
    u(GLOBEX, "u-2008", "Sophie Turner",           "sophie.turner@globex.example",       "Marketing Executive",                  Some("u-2001"), Some("+44 7700 900108"), St::Ok,   No,                                         E3,                               Same),
    u(GLOBEX, "u-2009", "Liam O'Connor",           "liam.oconnor@globex.example",        "Field Service Engineer",               Some("u-2003"), Some("+44 7700 900109"), St::Ok,   No,                                         E3,                               Same),
    u(GLOBEX, "u-2010", "Grace Bennett",           "grace.bennett@globex.example",       "HR Advisor",                           Some("u-2001"), Some("+44 7700 900110"), St::Ok,   No,                                         E3,                               Same),
    u(GLOBEX, "u-2011", "Harry Patel",             "harry.patel@globex.example",         "Account Manager (leaver)",             Some("u-2001"), Some("+44 7700 900111"), Disabled, No,                                         E3,                               Same),
    u(GLOBEX, "u-2012", "Amelia Wright",           "amelia.wright@globex.example",       "Office Manager",                       Some("u-2001"), Some("+44 7700 900112"), St::Ok,   No,                                         E3,                               Same),
    u(GLOBEX, "u-2013", "Noah Evans",              "noah.evans@globex.example",          "Software Developer",                   Some("u-2003"), Some("+44 7700 900113"), St::Ok,   No,                                         E3,                               Same),
    u(GLOBEX, "u-2014", "Chloe Adams",             "chloe.adams@globex.example",         "Customer Service Advisor",             Some("u-2012"), None,                    St::Ok,   No,                                         E3,                               Same),

    u(INITECH, "u-3001", "Richard Hale",           "richard.hale@initech.example",       "Chief Executive Officer",              None,           Some("+1 555 020 0101"), St::Ok,   Vip("VIP: chief executive officer"),        M365,                             Same),
    u(INITECH, "u-3002", "Peter Gibson",           "peter.gibson@initech.example",       "Software Engineer",                    Some("u-3004"), Some("+1 555 020 0102"), Locked,   No,                                         M365,                             Same),
    u(INITECH, "u-3003", "Dana Whitmore",          "dana.whitmore@initech.example",      "Office Manager",                       Some("u-3001"), Some("+1 555 020 0103"), St::Ok,   No,                                         M365,                             Same),
    u(INITECH, "u-3004", "Samuel Ortiz",           "samuel.ortiz@initech.example",       "Engineering Manager",                  Some("u-3001"), Some("+1 555 020 0104"), St::Ok,   No,                                         M365,                             Same),
    u(INITECH, "u-3005", "Karen Liu",              "karen.liu@initech.example",          "Payroll & Finance Officer",            Some("u-3001"), Some("+1 555 020 0105"), St::Ok,   No,                                         M365,                             Same),
    u(INITECH, "u-3006", "Initech IT Admin",       "itadmin@initech.example",            "Shared admin account (MSP)",           None,           None,                    St::Ok,   Admin("admin role: Global Administrator"),  NONE,                             Ct::None),
    u(INITECH, "u-3007", "Emergency Access",       "emergency@initech.example",          "Emergency access account",             None,           None,                    St::Ok,   BreakGlass,                                 NONE,                             Ct::None),
    u(INITECH, "u-3008", "SQL Service",            "svc-sql@initech.example",            "Service account: SQL Server",          Some("u-3004"), None,                    St::Ok,   Service("service account: SQL Server"),     NONE,                             Ct::None),
    u(INITECH, "u-3009", "Tara Singh",             "tara.singh@initech.example",         "QA Contractor (contract ended)",       Some("u-3004"), Some("+1 555 020 0109"), Disabled, No,                                         NONE,                             Same),
    u(INITECH, "u-3010", "Victor Reyes",           "victor.reyes@initech.example",       "Sales Representative",                 Some("u-3001"), None,                    St::Ok,   No,                                         M365,                             Same),
    u(INITECH, "u-3011", "Megan Ross",             "megan.ross@initech.example",         "Support Lead",                         Some("u-3001"), Some("+1 555 020 0111"), St::Ok,   No,                                         M365,                             Same),
    u(INITECH, "u-3012", "Joel Park",              "joel.park@initech.example",          "Support Intern",                       Some("u-3011"), Some("+1 555 020 0112"), St::Ok,   No,                                         NONE,                             Same),
    u(INITECH, "u-3013", "Brian Kim",              "brian.kim@initech.example",          "Contract Developer",                   Some("u-3004"), Some("+1 555 020 0113"), St::Ok,   No,                                         M365,                             Same),
];

/// PSA contacts with no directory account behind them.
#[rustfmt::skip]
pub(crate) const EXTRA_CONTACTS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    // tenant, id,      name,             e-mail,                                 phone
    (ACME,    "c-1901", "Paul Jennings",  "paul@jenningsbookkeeping.example",    Some("+1 555 010 0190")),
    (GLOBEX,  "c-2901", "Rachel Green",   "rachel@greenfacilities.example",      Some("+44 7700 900190")),
    (INITECH, "c-3901", "Tom Smykowski",  "tom.smykowski@initech.example",       None),
];

/// A group: tenant, id, name, mail (distribution lists), privileged, members.
pub(crate) type GroupRow = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
    &'static [&'static str],
);

/// Groups and distribution lists.
#[rustfmt::skip]
pub(crate) const GROUPS: &[GroupRow] = &[
    // tenant, id,      name,                                mail (DL),                       privileged, members
    (ACME, "g-1001", "Global Admins",                        None,                            true,  &["u-1004", "u-1005"]),
    (ACME, "g-1002", "Finance Approvers",                    None,                            true,  &["u-1002", "u-1017"]),
    (ACME, "g-1003", "All Staff",                            Some("allstaff@acme.example"),   false, &["u-1001", "u-1002", "u-1003", "u-1007", "u-1008", "u-1009", "u-1010", "u-1011", "u-1012", "u-1014", "u-1015", "u-1016", "u-1017", "u-1018", "u-1019", "u-1020"]),
    (ACME, "g-1004", "Sales Team",                           Some("sales@acme.example"),      false, &["u-1007", "u-1014", "u-1001"]),
    (ACME, "g-1005", "Marketing",                            Some("marketing@acme.example"),  false, &["u-1001"]),
    (ACME, "g-1006", "VPN Users",                            None,                            false, &["u-1003", "u-1007", "u-1014", "u-1015", "u-1017", "u-1019"]),
    (ACME, "g-1007", "SharePoint - Engineering Members",     None,                            false, &["u-1003", "u-1019"]),
    (ACME, "g-1008", "Finance Share - Read",                 None,                            false, &["u-1002", "u-1008", "u-1017"]),
    (ACME, "g-1009", "Warehouse Team",                       Some("warehouse@acme.example"),  false, &["u-1009", "u-1020"]),

    (GLOBEX, "g-2001", "Global Admins",                      None,                            true,  &["u-2004"]),
    (GLOBEX, "g-2002", "Finance Approvers",                  None,                            true,  &["u-2002"]),
    (GLOBEX, "g-2003", "HR Confidential",                    None,                            true,  &["u-2001", "u-2010"]),
    (GLOBEX, "g-2004", "All Staff",                          Some("allstaff@globex.example"), false, &["u-2001", "u-2002", "u-2003", "u-2006", "u-2007", "u-2008", "u-2009", "u-2010", "u-2013", "u-2014"]),
    (GLOBEX, "g-2005", "Sales UK",                           Some("sales@globex.example"),    false, &["u-2006", "u-2001"]),
    (GLOBEX, "g-2006", "VPN Users",                          None,                            false, &["u-2003", "u-2009", "u-2013"]),
    (GLOBEX, "g-2007", "Developers",                         None,                            false, &["u-2003", "u-2013"]),
    (GLOBEX, "g-2008", "Local Admins - Workstations",        None,                            true,  &["u-2003"]),

    (INITECH, "g-3001", "Global Admins",                     None,                            true,  &["u-3006", "u-3007"]),
    (INITECH, "g-3002", "Payroll",                           None,                            true,  &["u-3001", "u-3005"]),
    (INITECH, "g-3003", "All Staff",                         Some("allstaff@initech.example"), false, &["u-3001", "u-3002", "u-3003", "u-3004", "u-3005", "u-3010", "u-3011", "u-3012", "u-3013"]),
    (INITECH, "g-3004", "Sales",                             Some("sales@initech.example"),   false, &["u-3001"]),
    (INITECH, "g-3005", "Developers",                        None,                            false, &["u-3002", "u-3004", "u-3013"]),
    (INITECH, "g-3006", "VPN Users",                         None,                            false, &["u-3002", "u-3004", "u-3013"]),
    (INITECH, "g-3007", "Support Team",                      Some("support-team@initech.example"), false, &["u-3011", "u-3012"]),
];

/// A shared mailbox: tenant, address, display name, permissions.
pub(crate) type MailboxRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, MailboxPermission)],
);

/// Shared mailboxes and their current permissions.
#[rustfmt::skip]
pub(crate) const MAILBOXES: &[MailboxRow] = &[
    // tenant, address,                    display name,        permissions
    (ACME,    "accounts@acme.example",     "Accounts",          &[("u-1008", FullAccess), ("u-1008", SendAs), ("u-1002", FullAccess)]),
    (ACME,    "info@acme.example",         "Acme Info",         &[("u-1018", FullAccess), ("u-1016", FullAccess), ("u-1018", SendAs)]),
    (ACME,    "hr@acme.example",           "HR",                &[("u-1012", FullAccess), ("u-1012", SendAs)]),
    (GLOBEX,  "invoices@globex.example",   "Invoices",          &[("u-2002", FullAccess)]),
    (GLOBEX,  "support@globex.example",    "Customer Support",  &[("u-2014", FullAccess), ("u-2014", SendAs), ("u-2012", FullAccess)]),
    (INITECH, "support@initech.example",   "Initech Support",   &[("u-3012", FullAccess)]),
    (INITECH, "billing@initech.example",   "Billing",           &[("u-3005", FullAccess), ("u-3005", SendAs)]),
];

/// Licence SKUs and seats bought; seats consumed are counted from the users holding them.
/// acme's `VISIO_PLAN2` pool is full.
#[rustfmt::skip]
pub(crate) const LICENSES: &[(&str, &str, u32)] = &[
    // tenant, SKU part number,     seats bought
    (ACME,    "SPB",                20),  // Microsoft 365 Business Premium
    (ACME,    "POWER_BI_PRO",        5),
    (ACME,    "VISIO_PLAN2",         2),  // full
    (ACME,    "EXCHANGESTANDARD",    2),
    (GLOBEX,  "SPE_E3",             15),  // Microsoft 365 E3
    (GLOBEX,  "SPE_E5",              1),
    (GLOBEX,  "POWER_BI_PRO",        3),
    (GLOBEX,  "PROJECT_P3",          2),
    (INITECH, "SPB",                10),
    (INITECH, "EXCHANGESTANDARD",    2),
];
