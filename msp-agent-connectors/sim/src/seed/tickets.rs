//! Seed tickets, as users write them, each with its ground-truth intent.
//!
//! The queue deliberately holds the hard cases: look-alikes ("reset the password for the
//! printer", "the spreadsheet is locked", "how do I set up forwarding?"), requesters who are
//! not who they claim, a request for someone else's password, one for an admin account,
//! a disabled leaver, a contact with no directory account, and a phishing report.

use msp_agent_core::domain::Intent::{self, *};
use msp_agent_core::domain::Priority::{self, *};

use super::{ACME, GLOBEX, INITECH};

/// One open ticket: tenant, sender, ground truth, priority, subject, body.
pub(crate) struct TicketRow {
    pub tenant: &'static str,
    pub from: &'static str,
    pub intent: Intent,
    pub priority: Priority,
    pub subject: &'static str,
    pub body: &'static str,
}

const fn t(
    tenant: &'static str,
    from: &'static str,
    intent: Intent,
    priority: Priority,
    subject: &'static str,
    body: &'static str,
) -> TicketRow {
    TicketRow {
        tenant,
        from,
        intent,
        priority,
        subject,
        body,
    }
}

/// One closed ticket from last month, with the technician's note and time.
pub(crate) struct HistoryRow {
    pub ticket: TicketRow,
    pub days_ago: i64,
    pub category: &'static str,
    pub note: &'static str,
    pub minutes: u32,
}

/// Closed tickets (history for search and duplicates). They come first in the PSA.
#[rustfmt::skip]
pub(crate) const HISTORY: &[HistoryRow] = &[
    HistoryRow {
        ticket: t(ACME, "maria.gonzalez@acme.example", PasswordReset, Medium,
            "Password expired",
            "Hi, my password expired and it won't let me change it from home. Can you reset it? \
             Maria"),
        days_ago: 34, category: "Account / Password reset", minutes: 15,
        note: "Called Maria back on the mobile on file, reset the password with change at next \
               sign-in, read the temporary password over the phone.",
    },
    HistoryRow {
        ticket: t(GLOBEX, "emily.carter@globex.example", AccountUnlock, Medium,
            "Locked out",
            "Hiya, locked out again sorry! Think it's my old phone still trying to sync. Emily"),
        days_ago: 12, category: "Account / Unlock", minutes: 10,
        note: "Unlocked the account; old iPhone mail profile was retrying the old password. \
               Advised Emily to remove the account from the old phone.",
    },
    HistoryRow {
        ticket: t(INITECH, "megan.ross@initech.example", Other, Low,
            "Second monitor for new desk",
            "Hi, can we order a second 27\" monitor for the support desk by the window? Thanks, \
             Megan"),
        days_ago: 20, category: "Procurement", minutes: 20,
        note: "Quoted a Dell P2723D, approved by Dana, delivered and installed.",
    },
    HistoryRow {
        ticket: t(ACME, "tom.brennan@acme.example", VpnIssue, Medium,
            "VPN wont connect from hotel",
            "VPN just sits on connecting. at the Marriott in Dayton. Tom"),
        days_ago: 8, category: "Network / VPN", minutes: 25,
        note: "Hotel Wi-Fi captive portal was blocking the gateway; Tom accepted the portal \
               terms and GlobalProtect connected.",
    },
];

/// Open tickets, in order of arrival.
#[rustfmt::skip]
pub(crate) const OPEN: &[TicketRow] = &[
    // ---- Monday morning: the password and lockout wave ------------------------------
    t(ACME, "maria.gonzalez@acme.example", PasswordReset, Medium,
        "Password reset",
        "Hi,\n\nI forgot my password over the weekend and now I can't log in to my laptop or \
         Outlook. Could you please reset it?\n\nThanks,\nMaria Gonzalez\nAccounts Payable | Acme \
         Manufacturing Ltd\nT: +1 555 010 2208"),
    t(GLOBEX, "james.whitaker@globex.example", PasswordReset, Medium,
        "Forgotten password",
        "Morning team,\n\nI've forgotten my password after two weeks of annual leave. Could \
         someone reset it for me please?\n\nKind regards,\nJames Whitaker\nAccountant\nGlobex \
         Corporation"),
    t(ACME, "tom.brennan@acme.example", AccountUnlock, High,
        "Account locked",
        "Hi, my account got locked after I tried my old password too many times on my phone. \
         Can you unlock it? I know my password, I just need back in before my 10am call.\n\n\
         Tom Brennan | Sales Executive\nAcme Manufacturing"),
    t(INITECH, "samuel.ortiz@initech.example", PasswordReset, Medium,
        "pw reset pls",
        "hey, can u reset my pasword? tried the self service thing and it says my account isnt \
         registered for it. thx - Sam"),
    t(ACME, "maria.gonzalez@acme.example", SecurityIncident, High,
        "Suspicious email - is this real?",
        "Hi IT,\n\nI got the email below saying my mailbox is full and I need to verify my \
         password or lose my emails. It looks a bit off so I didn't click anything. Is this \
         real?\n\nMaria\n\n---------- Forwarded message ---------\nFrom: Microsoft 365 Support \
         <no-reply@m1crosoft-mailbox.example>\nSubject: Action required: mailbox storage 99% \
         full\n\nYour mailbox has exceeded its limit. Verify your account within 24 hours to \
         avoid losing messages: http://m1crosoft-mailbox.example/verify"),
    t(ACME, "jessica.park@acme.example", PasswordReset, High,
        "cant log in",
        "my password expired this morning and now it wont let me change it, just says \
         'something went wrong'. i need to get into email asap, campaign goes out at 10!! pls \
         help\n\nJess\n\nSent from my iPhone"),
    t(GLOBEX, "emily.carter@globex.example", AccountUnlock, Medium,
        "Account locked out",
        "Hello,\n\nI'm getting 'Your account has been locked to prevent unauthorised use' when I \
         try to sign in. Could you unlock it please?\n\nMany thanks,\nEmily Carter\nAccount \
         Manager"),
    t(ACME, "nina.patel@acme.example", PasswordReset, Medium,
        "Forgot my password",
        "Good morning,\n\nI'm new on reception and I've forgotten the password I set on my first \
         day. Can you reset it please?\n\nNina Patel\nReception"),
    t(ACME, "olivia.grant@acme.example", PrinterIssue, Medium,
        "Reset password for the printer",
        "Hi team, the big copier on the 2nd floor keeps asking for a password when I try to scan \
         to email. Can someone reset the password for the printer? It worked fine on Friday.\n\n\
         Thanks,\nOlivia"),
    t(ACME, "olivia.grant@acme.example", PasswordReset, High,
        "Password for Sarah",
        "Hi,\n\nSarah (our CEO) is travelling and has forgotten her password. Can you reset the \
         password for sarah.whitfield@acme.example and send the new one to me so I can pass it \
         on? She's boarding in an hour.\n\nThanks so much,\nOlivia Grant\nExecutive Assistant to \
         the CEO"),
    t(ACME, "priya.raman@acme.example", PasswordReset, High,
        "Reset admin account password",
        "Hi, please reset the password for my admin account adm.praman@acme.example - it fell \
         out of sync after the rotation and I can't get into the admin portal. My normal account \
         is fine.\n\nPriya Raman\nIT Manager, Acme Manufacturing"),
    t(ACME, "daniel.okafor@acme-finance.example", PasswordReset, Critical,
        "URGENT - password reset",
        "This is Daniel Okafor, CFO. I'm at a client site and locked out of my account. Reset my \
         password and email the new one to this address immediately, I need to approve a wire \
         transfer before 3pm.\n\nDaniel Okafor\nChief Financial Officer\nSent from my iPhone"),
    t(INITECH, "megan.ross@initech.example", PasswordReset, Medium,
        "Password",
        "Good afternoon,\n\nCould I get my password reset? I changed it yesterday and must have \
         typo'd it twice because nothing works now.\n\nMegan Ross\nSupport Lead, Initech"),
    t(ACME, "bob.smith@acme.example", PasswordReset, Medium,
        "password not working",
        "Hello, my password is not working on the maintenance PC since Friday. can you reset \
         please. Bob Smith, maintenance"),
    t(GLOBEX, "chloe.adams@globex.example", PasswordReset, Medium,
        "Can't remember password",
        "Hi there, I can't remember my password after the long weekend :( could you reset it \
         please? I don't have a work phone so maybe send it to Amelia? Thanks Chloe"),
    t(ACME, "greg.novak@acme.example", PasswordReset, Low,
        "Password reset",
        "Hi guys, I know I left last month but I still need to get some personal files and \
         photos off my old email. Can you reset my password so I can log in one more time?\n\n\
         Cheers, Greg"),
    t(ACME, "paul@jenningsbookkeeping.example", PasswordReset, Medium,
        "Reset my password",
        "Hello,\n\nPlease reset my password, I can't get into the Acme portal to do the month-end \
         reconciliation.\n\nBest,\nPaul Jennings\nJennings Bookkeeping"),
    t(ACME, "kevin.liu@acme.example", PasswordReset, Medium,
        "Reset password",
        "Hello IT\nI need a new password, the old one is not working on the warehouse PC and I \
         have to print the pick lists. I don't have a work mobile.\nKevin"),
    t(GLOBEX, "sophie.turner@globex.example", PasswordReset, Medium,
        "Password reset required",
        "Hi, I keep getting prompted to change my password on my phone but it won't accept the \
         new one, and now Teams on my mobile has logged me out too. Can you reset it for me?\n\n\
         Sophie Turner\nMarketing"),
    t(ACME, "aisha.bello@acme.example", AccountUnlock, High,
        "locked out!!",
        "it says 'your account has been locked' when i try to sign in. I'm in front of a \
         customer right now, please unlock asap!!! Aisha"),
    t(INITECH, "peter.gibson@initech.example", AccountUnlock, Medium,
        "locked out again",
        "Locked out of my account again. Probably the old password saved in the mail app on my \
         phone. Could you unlock it? I'll fix the phone.\n-Peter"),
    t(INITECH, "dana.whitmore@initech.example", AccountUnlock, Medium,
        "Can't sign in",
        "Hi, this morning my computer says my account is locked when I try to log in. Could you \
         unlock it for me? Thanks, Dana\n\nDana Whitmore | Office Manager | Initech"),
    t(ACME, "marcus.reid@acme.example", FileAccess, Medium,
        "Budget spreadsheet locked",
        "Hi,\n\nThe FY25 budget workbook on the Finance share says it's locked for editing by \
         another user, but everyone says they've closed it. I need to get the numbers to Daniel \
         today.\n\nMarcus Reid\nFinancial Controller"),
    t(ACME, "linda.chow@acme.example", MfaReset, Medium,
        "New phone - authenticator",
        "Hi,\n\nI got a new phone over the weekend and the Authenticator app didn't transfer \
         across. Now I can't approve sign-ins. Can you reset my MFA so I can set it up again?\n\n\
         Thanks,\nLinda\nHR Manager"),
    t(GLOBEX, "grace.bennett@globex.example", MfaReset, Medium,
        "MFA not working",
        "Hello,\n\nI lost my phone on the train yesterday so I can't get the two-factor codes any \
         more. Please can you remove the old phone so I can set up the new one?\n\nGrace Bennett\n\
         HR Advisor"),
    t(INITECH, "karen.liu@initech.example", MfaReset, Medium,
        "authenticator app",
        "My authenticator keeps saying 'request denied' and I never get the number to type in. \
         Can we re-register it from scratch? Karen"),
    t(ACME, "jessica.park@acme.example", DistributionListAccess, Low,
        "Add me to marketing DL",
        "Could you add me to the marketing@acme.example distribution list? I'm not getting the \
         agency's emails. Thanks! Jess"),
    t(GLOBEX, "amelia.wright@globex.example", DistributionListAccess, Low,
        "All Staff list",
        "Hi,\n\nPlease can I be added to the All Staff distribution list? I need to send the \
         office closure notice for the bank holiday and it bounces.\n\nAmelia Wright\nOffice \
         Manager"),
    t(INITECH, "victor.reyes@initech.example", DistributionListAccess, Low,
        "sales emails",
        "not receiving emails sent to sales@initech.example, can you put me on that list? \
         customers are replying to it. Victor"),
    t(ACME, "marcus.reid@acme.example", SharedMailboxAccess, Medium,
        "Access to accounts mailbox",
        "Hi,\n\nI need full access to the accounts@acme.example shared mailbox so I can cover \
         Maria's supplier invoices while she's on leave next week.\n\nThanks,\nMarcus Reid\n\
         Financial Controller"),
    t(GLOBEX, "james.whitaker@globex.example", SharedMailboxAccess, Medium,
        "invoices inbox",
        "Hi, can I get access to the invoices@globex.example mailbox, and send as it too? Claire \
         is fine with it. Ta, James"),
    t(INITECH, "megan.ross@initech.example", SharedMailboxAccess, Medium,
        "support mailbox disappeared",
        "Hi, the support@initech.example mailbox has disappeared from my Outlook. I think my \
         access was removed by mistake when Joel was added - could you give it back?\n\nMegan"),
    t(ACME, "ethan.moore@acme.example", LicenseAssignment, Medium,
        "Visio licence",
        "Hi, I need Visio for the new plant layout drawings. Could I get a licence please? \
         Frank has approved it.\n\nEthan Moore\nDesign Engineer"),
    t(GLOBEX, "noah.evans@globex.example", LicenseAssignment, Low,
        "Power BI Pro",
        "Could I get a Power BI Pro licence? I need to publish the sales dashboard to the team \
         workspace. Cheers, Noah"),
    t(INITECH, "joel.park@initech.example", LicenseAssignment, Medium,
        "Word says Unlicensed Product",
        "Hi! Word and Excel say 'Unlicensed Product' across the top and won't let me edit \
         anything. I started two weeks ago if that matters.\n\nJoel (support intern)"),
    t(ACME, "ethan.moore@acme.example", PermissionGrant, Medium,
        "Access to Engineering SharePoint",
        "Hello, please give me access to the Engineering SharePoint site. I get 'You need \
         permission to access this site' when I open the drawings library. Thanks, Ethan"),
    t(ACME, "maria.gonzalez@acme.example", PermissionGrant, Medium,
        "Add me to Finance Approvers",
        "Hi, Marcus asked me to approve invoices over $5k while he's out. Could you add me to \
         the Finance Approvers group?\n\nMaria"),
    t(GLOBEX, "noah.evans@globex.example", PermissionGrant, Medium,
        "Local admin rights",
        "Hiya, can I get local admin rights on my laptop (GLX-LT-013)? I need to install dev \
         tools and keep hitting the UAC prompt. Noah"),
    // ---- Requests from HR and managers ---------------------------------------------
    t(ACME, "linda.chow@acme.example", Onboarding, Medium,
        "New starter - Monday 14th",
        "Hi IT,\n\nWe have a new starter joining Sales on Monday:\n\nName: Hannah Cole\nTitle: \
         Sales Executive\nManager: Tom Brennan\nStart date: Monday 14 April\nEmail: \
         hannah.cole@acme.example\n\nShe'll need a laptop, email, the Sales Team list and access \
         to the CRM.\n\nThanks,\nLinda Chow\nHR Manager"),
    t(GLOBEX, "grace.bennett@globex.example", Onboarding, Medium,
        "New Starter: Mark Jensen",
        "Hello,\n\nPlease set up an account for Mark Jensen, Accounts Assistant, reporting to \
         Claire Donnelly, starting 22 April. He will need Sage and the invoices mailbox.\n\nKind \
         regards,\nGrace"),
    t(INITECH, "dana.whitmore@initech.example", Onboarding, Medium,
        "new hire",
        "We've got a summer intern starting next week, Lucy Tran, reporting to Megan in support. \
         Needs the usual setup plus Slack. Thanks! Dana"),
    t(ACME, "linda.chow@acme.example", Offboarding, Medium,
        "Leaver - Sam Porter",
        "Hi,\n\nSam Porter (warehouse) finishes this Friday 11th. Please disable his account at \
         5pm, forward his email to Frank Delgado for a month and free up his licence.\n\nThanks,\n\
         Linda"),
    t(GLOBEX, "grace.bennett@globex.example", Offboarding, Medium,
        "Harry Patel leaver - mailbox",
        "Hi, Harry left last Friday. Could you convert his mailbox to shared and give Amelia \
         access, and arrange for his laptop to be wiped? It still hasn't come back.\n\nGrace"),
    t(INITECH, "samuel.ortiz@initech.example", Offboarding, High,
        "Brian Kim contract ends today",
        "Brian Kim's contract ends today. Please shut off his access at 5pm, including GitHub \
         and the VPN. He's returning the laptop tomorrow.\n\nSam"),
    // ---- Software, forwarding, VPN -------------------------------------------------
    t(ACME, "maria.gonzalez@acme.example", SoftwareInstall, Low,
        "Adobe Acrobat",
        "Can you install Adobe Acrobat Reader on my laptop? I can't open the PDFs the suppliers \
         send. Thanks Maria"),
    t(ACME, "frank.delgado@acme.example", SoftwareInstall, Low,
        "Need 7-Zip",
        "Hi, could you put 7-Zip on my laptop? Supplier sends the drawings as .7z files.\n\n\
         Frank Delgado\nOperations Manager"),
    t(GLOBEX, "noah.evans@globex.example", SoftwareInstall, Low,
        "Install Docker Desktop",
        "Can you install Docker Desktop on GLX-LT-013 please? Need it for the new API project. \
         Noah"),
    t(INITECH, "samuel.ortiz@initech.example", SoftwareInstall, Low,
        "zoom",
        "need zoom installed on my laptop, customer only does zoom calls. ty"),
    t(ACME, "marcus.reid@acme.example", EmailForwarding, Low,
        "Forwarding while on leave",
        "Hi,\n\nI'm out from the 20th for two weeks. Can you forward my email to \
         maria.gonzalez@acme.example while I'm away?\n\nMarcus"),
    t(GLOBEX, "claire.donnelly@globex.example", EmailForwarding, Medium,
        "Forward to my personal email",
        "Please forward all my work emails to claire.d1979@gmail.example so I can keep up from \
         my tablet while I'm travelling.\n\nClaire Donnelly\nFinance Director"),
    t(INITECH, "richard.hale@initech.example", EmailForwarding, Low,
        "How do I set up forwarding?",
        "Quick one - how do I set up forwarding so my emails go to Dana while I'm at the \
         conference next week?\n\nRichard Hale\nCEO, Initech\nSent from Outlook for iOS"),
    t(ACME, "tom.brennan@acme.example", VpnIssue, Medium,
        "VPN not connecting",
        "GlobalProtect just spins on 'connecting' from the hotel wifi. Tried restarting it \
         twice. Tom"),
    t(GLOBEX, "liam.oconnor@globex.example", VpnIssue, High,
        "VPN",
        "FortiClient says 'Credential or SSL VPN configuration is wrong (-7200)' since this \
         morning. I'm on site in Leeds on GLX-LT-009 and can't get the job sheets.\n\nLiam \
         O'Connor\nField Service Engineer"),
    t(INITECH, "peter.gibson@initech.example", VpnIssue, Medium,
        "vpn keeps dropping",
        "The VPN drops every 10 min or so when working from home, then reconnects. Makes \
         remote debugging impossible. -Peter"),
    // ---- Files, Outlook, printers, performance -------------------------------------
    t(ACME, "kevin.liu@acme.example", FileAccess, Medium,
        "S drive missing",
        "The S: drive is gone from my computer, I need the stock sheets. It was there yesterday. \
         Kevin"),
    t(GLOBEX, "james.whitaker@globex.example", FileAccess, Medium,
        "Can't open finance folder",
        "Hi, \\\\GLX-SRV01\\Finance gives me 'Access is denied' since this morning. It worked \
         on Friday. Nothing changed my end.\n\nJames"),
    t(INITECH, "victor.reyes@initech.example", FileAccess, Medium,
        "Sales folder",
        "the Sales folder on OneDrive that Richard shared says 'This item might not exist or is \
         no longer available'. need the price list for a quote today"),
    t(ACME, "olivia.grant@acme.example", OutlookSync, Medium,
        "Outlook not updating",
        "Hi, Outlook on my laptop stopped getting new emails at about 9am, but I can see them on \
         my phone. Sarah's calendar isn't updating either.\n\nOlivia"),
    t(GLOBEX, "amelia.wright@globex.example", OutlookSync, Low,
        "Calendar not syncing to iPhone",
        "Hi, the shared office calendar isn't syncing to my iPhone any more. It's fine in \
         Outlook on the PC. Amelia"),
    t(INITECH, "karen.liu@initech.example", OutlookSync, Medium,
        "Outlook stuck",
        "Outlook has said 'Updating Inbox' for two hours and nothing new comes in. I've closed \
         and reopened it. Payroll run is today. Karen"),
    t(ACME, "nina.patel@acme.example", PrinterIssue, Medium,
        "Printer jam",
        "The reception printer says paper jam but there's no paper stuck anywhere, I've opened \
         every tray. Also my prints from this morning never came out. Nina"),
    t(GLOBEX, "chloe.adams@globex.example", PrinterIssue, Low,
        "Printing stuck",
        "Everything I print just sits in the queue saying 'Error - Printing'. Amelia's PC has \
         the same problem. Chloe"),
    t(INITECH, "dana.whitmore@initech.example", PrinterIssue, Medium,
        "Printer offline",
        "The printer by the kitchen shows as offline on my PC but it's on and has paper. Can \
         someone take a look? Dana"),
    t(ACME, "ethan.moore@acme.example", PerformanceIssue, Medium,
        "PC very slow",
        "My workstation (ACME-WS-015) has been crawling since last week's updates. SolidWorks \
         takes 10 minutes to open and the fans are going flat out.\n\nEthan"),
    t(GLOBEX, "claire.donnelly@globex.example", PerformanceIssue, Medium,
        "Laptop very slow",
        "My laptop has become painfully slow, Excel freezes every few minutes on the month-end \
         workbook. Could someone look at it?\n\nClaire"),
    t(INITECH, "peter.gibson@initech.example", PerformanceIssue, Medium,
        "computer freezing",
        "Laptop freezes for 20-30 seconds at a time when Visual Studio is open, mouse stops \
         moving. Started after the last update. -Peter"),
    // ---- Security ------------------------------------------------------------------
    t(ACME, "jessica.park@acme.example", SecurityIncident, Critical,
        "I think I clicked a bad link",
        "Hi, I think I clicked a link in an email about a DHL parcel and typed my password in. \
         Now I'm getting MFA prompts on my phone that I didn't ask for. I pressed deny. What do \
         I do?? Jess"),
    t(GLOBEX, "claire.donnelly@globex.example", SecurityIncident, High,
        "Strange request from Hank",
        "Hi, I just got an email from 'Hank' asking me to buy ten £200 Apple gift cards for a \
         client and send him the codes, and not to tell anyone. It came from \
         hank.scorpio.ceo@gmail.example. Surely this is fake? Claire"),
    t(INITECH, "megan.ross@initech.example", SecurityIncident, High,
        "Antivirus popup",
        "A Windows Security popup just said a threat was found and quarantined after I opened \
         an invoice zip from a customer. Should I be worried? I haven't done anything else.\n\n\
         Megan"),
    // ---- Everything else -----------------------------------------------------------
    t(ACME, "aisha.bello@acme.example", Other, Low,
        "Call forwarding on desk phone",
        "How do I set up call forwarding on my desk phone so calls go to my mobile when I'm out \
         on the road? Aisha"),
    t(GLOBEX, "emily.carter@globex.example", Other, Low,
        "Voicemail PIN reset",
        "Hi, I've forgotten the PIN for my desk phone voicemail, can it be reset? Thanks, Emily"),
    t(GLOBEX, "amelia.wright@globex.example", Other, Low,
        "Quote for monitors",
        "Hi, could you send us a quote for five 24\" monitors and docking stations for the new \
         hot desks? Amelia"),
    t(INITECH, "richard.hale@initech.example", Other, Low,
        "Invoice copy",
        "Can you send over a copy of March's invoice and tell me when our contract renews?\n\n\
         Richard"),
    t(ACME, "frank.delgado@acme.example", Other, Low,
        "Meeting room TV",
        "The TV in the big meeting room won't show the laptop screen over HDMI. We've a \
         customer visit Thursday. Frank"),
];
