//! Out-of-band secret delivery: SMS to the mobile on file, else e-mail to the manager.
//! Nothing is sent anywhere: deliveries land in the simulator's outbox for tests to read.

use async_trait::async_trait;
use msp_agent_core::audit::REDACTED;
use msp_agent_core::capability::{Challenge, DeliveryReceipt, SecretDelivery};
use msp_agent_core::domain::{TenantId, UserId};
use msp_agent_core::secrecy::SecretString;
use msp_agent_core::{CapResult, CapabilityError};
use serde_json::json;

use crate::SimMsp;
use crate::state::{Delivery, call, lock};
use crate::text::{mask_email, mask_phone};

/// Channel name of an SMS to the user's mobile.
pub const CHANNEL_SMS: &str = "sms";
/// Channel name of an e-mail to the user's manager.
pub const CHANNEL_MANAGER_EMAIL: &str = "manager_email";

#[async_trait]
impl SecretDelivery for SimMsp {
    async fn deliver(
        &self,
        tenant: &TenantId,
        user: &UserId,
        purpose: &str,
        secret: &SecretString,
    ) -> CapResult<DeliveryReceipt> {
        let receipt = self.with(tenant, |t| {
            let rec = t.user(user)?;
            if let Some(phone) = &rec.mobile {
                return Ok(DeliveryReceipt {
                    channel: CHANNEL_SMS.to_owned(),
                    destination: mask_phone(phone),
                });
            }
            let manager = rec.user.manager.as_ref().and_then(|m| t.users.get(m));
            match manager {
                Some(m) if m.user.state.enabled => Ok(DeliveryReceipt {
                    channel: CHANNEL_MANAGER_EMAIL.to_owned(),
                    destination: mask_email(&m.user.mail),
                }),
                _ => Err(CapabilityError::Conflict(format!(
                    "no out-of-band channel for {}: no mobile on file and no enabled manager",
                    rec.user.upn
                ))),
            }
        })?;
        call(
            "POST",
            format!("sim://delivery/{tenant}/{}", receipt.channel),
            json!({ "user": user, "to": receipt.destination, "purpose": purpose, "message": REDACTED }),
        );
        lock(&self.inner.outbox).push(Delivery {
            tenant: tenant.clone(),
            user: user.clone(),
            purpose: purpose.to_owned(),
            channel: receipt.channel.clone(),
            secret: secret.clone(),
        });
        self.save_shared()?;
        Ok(receipt)
    }

    async fn challenge(
        &self,
        tenant: &TenantId,
        user: &UserId,
        purpose: &str,
    ) -> CapResult<Challenge> {
        let destination = self.with(tenant, |t| {
            let rec = t.user(user)?;
            rec.mobile.as_deref().map(mask_phone).ok_or_else(|| {
                CapabilityError::Conflict(format!(
                    "no second channel for {}: no mobile on file",
                    rec.user.upn
                ))
            })
        })?;
        call(
            "POST",
            format!("sim://delivery/{tenant}/{CHANNEL_SMS}/challenge"),
            json!({ "user": user, "to": destination, "purpose": purpose }),
        );
        lock(&self.inner.challenges).push((tenant.clone(), user.clone(), purpose.to_owned()));
        self.save_shared()?;
        let confirmed = !lock(&self.inner.deny_challenges).contains(user);
        Ok(Challenge {
            channel: CHANNEL_SMS.to_owned(),
            destination,
            confirmed,
        })
    }
}
