//! Seed tables: managed devices, their quirks, RMM alerts and the software catalogue.

use super::{ACME, GLOBEX, INITECH};

/// One managed device and its health at seed time.
pub(crate) struct DeviceRow {
    pub tenant: &'static str,
    pub id: &'static str,
    pub name: &'static str,
    pub user: Option<&'static str>,
    pub os: &'static str,
    pub online: bool,
    pub cpu: f32,
    pub memory: f32,
    pub disk_free_gb: f32,
    pub patches: u32,
    /// Minutes before the seed epoch the RMM last saw it.
    pub seen_min_ago: i64,
}

#[allow(clippy::too_many_arguments)]
const fn d(
    tenant: &'static str,
    id: &'static str,
    name: &'static str,
    user: Option<&'static str>,
    os: &'static str,
    online: bool,
    cpu: f32,
    memory: f32,
    disk_free_gb: f32,
    patches: u32,
    seen_min_ago: i64,
) -> DeviceRow {
    DeviceRow {
        tenant,
        id,
        name,
        user,
        os,
        online,
        cpu,
        memory,
        disk_free_gb,
        patches,
        seen_min_ago,
    }
}

const W11: &str = "Windows 11 Pro 23H2";
const W10: &str = "Windows 10 Pro 22H2";
const MAC: &str = "macOS 14.4 Sonoma";
const SRV22: &str = "Windows Server 2022 Standard";
const ON: bool = true;
const OFF: bool = false;

/// Managed devices.
#[rustfmt::skip]
pub(crate) const DEVICES: &[DeviceRow] = &[
    // tenant, id,       host name,         user,           OS,                                    online, CPU %, mem %, disk GB, patches, seen (min ago)
    d(ACME, "d-1001", "ACME-LT-001",     Some("u-1001"), W11,                                    ON,   9.0,  41.0, 212.5,  0,     1),
    d(ACME, "d-1002", "ACME-MBP-002",    Some("u-1001"), MAC,                                    ON,   6.0,  38.0, 301.2,  1,     3),
    d(ACME, "d-1003", "ACME-LT-003",     Some("u-1002"), W11,                                    ON,  14.0,  52.0, 140.0,  2,     2),
    d(ACME, "d-1004", "ACME-LT-004",     Some("u-1003"), W11,                                    ON,  22.0,  61.0,  95.3,  0,     1),
    d(ACME, "d-1007", "ACME-LT-007",     Some("u-1007"), W11,                                    OFF,  0.0,   0.0,  48.1,  7,  2880),
    d(ACME, "d-1008", "ACME-LT-008",     Some("u-1008"), W11,                                    ON,  11.0,  47.0, 120.6,  1,     2),
    d(ACME, "d-1009", "ACME-WS-009",     Some("u-1009"), W10,                                    ON,  35.0,  72.0,  12.4, 12,     1),
    d(ACME, "d-1010", "ACME-MBA-010",    Some("u-1010"), MAC,                                    ON,   8.0,  44.0, 180.0,  0,     5),
    d(ACME, "d-1011", "ACME-WS-011",     Some("u-1011"), W10,                                    ON,   5.0,  33.0, 210.0,  3,     4),
    d(ACME, "d-1012", "ACME-LT-012",     Some("u-1012"), W11,                                    ON,  12.0,  49.0, 160.0,  0,     2),
    d(ACME, "d-1014", "ACME-LT-014",     Some("u-1014"), W11,                                    ON,  17.0,  55.0,  98.0,  1,     1),
    d(ACME, "d-1015", "ACME-WS-015",     Some("u-1015"), "Windows 11 Pro for Workstations 23H2", ON,  97.0,  93.0,  18.7,  9,     1),
    d(ACME, "d-1016", "ACME-LT-016",     Some("u-1016"), W11,                                    ON,  10.0,  40.0, 150.0,  0,     1),
    d(ACME, "d-1017", "ACME-LT-017",     Some("u-1017"), W11,                                    ON,  13.0,  51.0, 133.0,  0,     2),
    d(ACME, "d-1018", "ACME-WS-018",     Some("u-1018"), W11,                                    ON,   7.0,  36.0, 200.0,  0,     1),
    d(ACME, "d-1019", "ACME-LT-019",     Some("u-1019"), W11,                                    OFF,  0.0,   0.0,  88.0,  4,   360),
    d(ACME, "d-1020", "ACME-WS-020",     Some("u-1020"), W10,                                    ON,  15.0,  58.0,  64.0,  5,     3),
    d(ACME, "d-1090", "ACME-FS01",       None,           SRV22,                                  ON,  18.0,  64.0,  31.2,  2,     1),
    d(ACME, "d-1091", "ACME-DC01",       None,           SRV22,                                  ON,   6.0,  45.0,  60.0,  0,     1),

    d(GLOBEX, "d-2001", "GLX-LT-001",    Some("u-2001"), W11,                                    ON,   7.0,  39.0, 250.0,  0,     2),
    d(GLOBEX, "d-2002", "GLX-LT-002",    Some("u-2002"), W11,                                    ON,  64.0,  81.0,  22.5, 14,     1),
    d(GLOBEX, "d-2003", "GLX-LT-003",    Some("u-2003"), W11,                                    ON,  12.0,  50.0, 190.0,  0,     1),
    d(GLOBEX, "d-2006", "GLX-LT-006",    Some("u-2006"), W11,                                    ON,   9.0,  42.0, 140.0,  1,     6),
    d(GLOBEX, "d-2007", "GLX-LT-007",    Some("u-2007"), W11,                                    ON,  11.0,  46.0, 115.0,  0,     2),
    d(GLOBEX, "d-2008", "GLX-MBP-008",   Some("u-2008"), MAC,                                    ON,   5.0,  37.0, 320.0,  0,     4),
    d(GLOBEX, "d-2009", "GLX-LT-009",    Some("u-2009"), W11,                                    OFF,  0.0,   0.0,  75.0,  6,   900),
    d(GLOBEX, "d-2010", "GLX-LT-010",    Some("u-2010"), W11,                                    ON,  10.0,  44.0, 170.0,  0,     1),
    d(GLOBEX, "d-2011", "GLX-LT-011",    Some("u-2011"), W11,                                    OFF,  0.0,   0.0, 130.0,  9, 14400),
    d(GLOBEX, "d-2012", "GLX-WS-012",    Some("u-2012"), W11,                                    ON,   8.0,  40.0, 180.0,  0,     1),
    d(GLOBEX, "d-2013", "GLX-LT-013",    Some("u-2013"), W11,                                    ON,  88.0,  91.0,  41.0,  2,     1),
    d(GLOBEX, "d-2014", "GLX-WS-014",    Some("u-2014"), W10,                                    ON,  13.0,  52.0, 110.0,  3,     2),
    d(GLOBEX, "d-2090", "GLX-SRV01",     None,           "Windows Server 2019 Standard",         ON,  21.0,  70.0,  84.0,  5,     1),

    d(INITECH, "d-3001", "INI-MBP-001",  Some("u-3001"), MAC,                                    ON,   6.0,  35.0, 410.0,  0,     3),
    d(INITECH, "d-3002", "INI-LT-002",   Some("u-3002"), W11,                                    ON,  76.0,  89.0,  54.0,  3,     1),
    d(INITECH, "d-3003", "INI-WS-003",   Some("u-3003"), W11,                                    ON,   9.0,  41.0, 160.0,  0,     1),
    d(INITECH, "d-3004", "INI-LT-004",   Some("u-3004"), W11,                                    ON,  18.0,  57.0, 140.0,  1,     2),
    d(INITECH, "d-3005", "INI-LT-005",   Some("u-3005"), W11,                                    ON,  12.0,  48.0, 105.0,  0,     1),
    d(INITECH, "d-3010", "INI-LT-010",   Some("u-3010"), W11,                                    OFF,  0.0,   0.0,  90.0,  4,  1440),
    d(INITECH, "d-3011", "INI-LT-011",   Some("u-3011"), W11,                                    ON,  23.0,  60.0, 120.0,  0,     1),
    d(INITECH, "d-3012", "INI-LT-012",   Some("u-3012"), W11,                                    ON,  10.0,  43.0, 200.0,  0,     2),
    d(INITECH, "d-3013", "INI-LT-013",   Some("u-3013"), W11,                                    ON,  16.0,  52.0, 150.0,  1,     1),
    d(INITECH, "d-3090", "INI-SQL01",    None,           SRV22,                                  ON,  31.0,  78.0, 120.0,  2,     1),
];

/// State scripts act on: stuck print jobs, temp files (GB), busiest process.
#[rustfmt::skip]
pub(crate) const QUIRKS: &[(&str, u32, f32, &str)] = &[
    // device, stuck print jobs, temp GB, top process
    ("d-1009", 0, 6.8, "MsMpEng.exe"),
    ("d-1015", 0, 4.3, "SLDWORKS.exe"),
    ("d-1018", 4, 2.1, "spoolsv.exe"),
    ("d-2002", 0, 9.6, "OneDrive.exe"),
    ("d-2012", 7, 1.2, "spoolsv.exe"),
    ("d-2013", 0, 3.0, "node.exe"),
    ("d-3002", 0, 2.4, "devenv.exe"),
    ("d-3003", 3, 0.9, "spoolsv.exe"),
];

/// Open RMM alerts.
#[rustfmt::skip]
pub(crate) const ALERTS: &[(&str, &str, &str, &str, i64)] = &[
    // tenant, device,  severity,   message,                                                                        minutes ago
    (ACME,    "d-1090", "warning",  "Disk C: below 15% free (31.2 GB)",                                             240),
    (ACME,    "d-1015", "warning",  "CPU above 95% for 30 minutes",                                                  45),
    (ACME,    "d-1007", "info",     "Device offline for more than 24 hours",                                       1440),
    (ACME,    "d-1009", "warning",  "12 patches pending; last successful patch run 41 days ago",                    600),
    (GLOBEX,  "d-2090", "critical", "Veeam job 'Nightly-FS' failed: access denied for svc-veeam",                    420),
    (GLOBEX,  "d-2013", "warning",  "Memory above 90% for 20 minutes",                                               30),
    (GLOBEX,  "d-2002", "warning",  "Disk C: below 10% free (22.5 GB)",                                             180),
    (INITECH, "d-3011", "critical", "Microsoft Defender: Trojan:Win32/Wacatac.B!ml quarantined in Downloads\\invoice_0412.zip", 25),
    (INITECH, "d-3002", "warning",  "Application hang: devenv.exe (6 events in the last hour)",                       90),
];

/// A catalogue package: id, name, version, platforms, tenants offering it.
pub(crate) type Package = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// The software catalogue.
#[rustfmt::skip]
pub(crate) const CATALOGUE: &[Package] = &[
    // id,               name,                        version,        platforms,              tenants
    ("m365-apps",        "Microsoft 365 Apps",        "2403",         &["windows", "macos"],  &[ACME, GLOBEX, INITECH]),
    ("teams",            "Microsoft Teams",           "24060",        &["windows", "macos"],  &[ACME, GLOBEX, INITECH]),
    ("acrobat-reader",   "Adobe Acrobat Reader",      "24.002.20687", &["windows", "macos"],  &[ACME, GLOBEX, INITECH]),
    ("chrome",           "Google Chrome",             "123.0.6312",   &["windows", "macos"],  &[ACME, GLOBEX, INITECH]),
    ("7zip",             "7-Zip",                     "24.08",        &["windows"],           &[ACME, GLOBEX, INITECH]),
    ("zoom",             "Zoom Workplace",            "6.0.2",        &["windows", "macos"],  &[ACME, INITECH]),
    ("globalprotect",    "GlobalProtect",             "6.2.1",        &["windows", "macos"],  &[ACME]),
    ("autocad-lt",       "AutoCAD LT 2025",           "2025.0.1",     &["windows"],           &[ACME]),
    ("solidworks",       "SolidWorks 2024",           "SP2",          &["windows"],           &[ACME]),
    ("notepad-plus-plus","Notepad++",                 "8.6.4",        &["windows"],           &[ACME, GLOBEX]),
    ("forticlient",      "FortiClient VPN",           "7.2.3",        &["windows", "macos"],  &[GLOBEX]),
    ("sage-50",          "Sage 50 Accounts",          "30.1",         &["windows"],           &[GLOBEX]),
    ("vscode",           "Visual Studio Code",        "1.87.2",       &["windows", "macos"],  &[GLOBEX, INITECH]),
    ("openvpn-connect",  "OpenVPN Connect",           "3.4.4",        &["windows", "macos"],  &[INITECH]),
    ("slack",            "Slack",                     "4.37.94",      &["windows", "macos"],  &[INITECH]),
    ("python",           "Python 3.12",               "3.12.2",       &["windows", "macos"],  &[INITECH]),
    ("postman",          "Postman",                   "10.24",        &["windows", "macos"],  &[INITECH]),
];

/// Packages every managed workstation of a tenant has at seed time.
pub(crate) fn baseline_packages(tenant: &str) -> &'static [&'static str] {
    match tenant {
        ACME => &[
            "Microsoft 365 Apps",
            "Microsoft Teams",
            "Google Chrome",
            "GlobalProtect",
        ],
        GLOBEX => &[
            "Microsoft 365 Apps",
            "Microsoft Teams",
            "Google Chrome",
            "FortiClient VPN",
        ],
        INITECH => &[
            "Microsoft 365 Apps",
            "Microsoft Teams",
            "Slack",
            "OpenVPN Connect",
        ],
        _ => &[],
    }
}
