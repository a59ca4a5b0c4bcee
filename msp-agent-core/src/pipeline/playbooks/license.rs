//! Licence assignment (DESIGN §7).
//!
//! The SKU is the one licence pool of the client that the ticket names (by SKU part number
//! or its words, or a common product name). Free seats are checked with a read during planning:
//! a full pool escalates with its figures and plans no write. The identity capability has no
//! read of a user's licences, so the plan carries no check; the tool's success is the evidence.

use async_trait::async_trait;
use serde_json::json;

use super::self_service_step;
use crate::domain::{Intent, License, Ticket};
use crate::error::CapResult;
use crate::pipeline::perceive::Perception;
use crate::pipeline::plan::{Plan, PlannedCall};
use crate::pipeline::reason::Playbook;
use crate::tool::ToolContext;

/// Common product names → SKU part-number prefix.
const PRODUCT_NAMES: &[(&str, &str)] = &[
    ("visio", "VISIO"),
    ("power bi", "POWER_BI"),
    ("microsoft project", "PROJECT"),
    ("business premium", "SPB"),
    ("exchange online", "EXCHANGE"),
    ("e3", "SPE_E3"),
    ("e5", "SPE_E5"),
];

/// Assign the licence the ticket names to the verified requester, if a seat is free.
#[derive(Debug, Clone, Copy, Default)]
pub struct LicenseAssignment;

#[async_trait]
impl Playbook for LicenseAssignment {
    fn intent(&self) -> Intent {
        Intent::LicenseAssignment
    }

    async fn plan(&self, cx: &ToolContext<'_>, t: &Ticket, p: &Perception) -> CapResult<Plan> {
        let pools = cx.caps.identity.list_licenses(cx.tenant).await?;
        let text = words(&format!("{} {}", t.subject, t.body));
        Ok(self_service_step(
            "license_assignment",
            "Licensing / Assignment",
            p,
            |user| {
                let pool = named_pool(&text, &pools)?;
                if pool.consumed >= pool.total {
                    return Err(format!(
                        "no free `{}` seat ({} of {} assigned); a seat must be bought or freed",
                        pool.sku, pool.consumed, pool.total
                    ));
                }
                let args = json!({ "user": user.id, "sku": pool.sku });
                let why = format!(
                    "verified requester {} asked for `{}` ({} of {} seats assigned)",
                    user.upn, pool.sku, pool.consumed, pool.total
                );
                Ok((PlannedCall::new("assign_license", args, why), Vec::new()))
            },
        ))
    }
}

/// Lower-case alphanumeric words separated by single spaces, padded with a space each side.
fn words(text: &str) -> String {
    let mut out = String::from(" ");
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.push_str(&w.to_lowercase());
        out.push(' ');
    }
    out
}

/// The one pool the text names; none or several → the reason to escalate.
fn named_pool<'a>(text: &str, pools: &'a [License]) -> Result<&'a License, String> {
    let names = |phrase: &str| text.contains(&words(phrase));
    let named: Vec<&License> = pools
        .iter()
        .filter(|l| {
            names(&l.sku)
                || PRODUCT_NAMES
                    .iter()
                    .any(|(name, prefix)| l.sku.starts_with(prefix) && names(name))
        })
        .collect();
    let skus = |ls: &mut dyn Iterator<Item = &License>| {
        ls.map(|l| l.sku.as_str()).collect::<Vec<_>>().join(", ")
    };
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "the ticket names none of the client's licences ({})",
            skus(&mut pools.iter())
        )),
        several => Err(format!(
            "the ticket names several licences ({}); a human must pick one",
            skus(&mut several.iter().copied())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(sku: &str) -> License {
        License {
            sku: sku.into(),
            total: 5,
            consumed: 1,
        }
    }

    #[test]
    fn pools_are_matched_by_sku_or_product_name() {
        let pools = [pool("SPB"), pool("POWER_BI_PRO"), pool("VISIO_PLAN2")];
        let sku = |t: &str| named_pool(&words(t), &pools).map(|l| l.sku.clone());
        assert_eq!(sku("I need Visio please").unwrap(), "VISIO_PLAN2");
        assert_eq!(
            sku("Could I get a Power BI Pro licence?").unwrap(),
            "POWER_BI_PRO"
        );
        assert_eq!(sku("assign POWER_BI_PRO").unwrap(), "POWER_BI_PRO");
        assert!(
            sku("Word says unlicensed")
                .unwrap_err()
                .contains("names none")
        );
        assert!(sku("Visio and Power BI").unwrap_err().contains("several"));
    }
}
