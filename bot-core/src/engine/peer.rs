//! Peer messages: what one person's step (or the matcher, on a pair's behalf) tells
//! another person. The runtime delivers them durably, as a step of the recipient, so
//! each side of a proposal or partnership is only ever written by its own steps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{ChatKey, PersonId, Profile, ProposalId};

/// A message for another person's step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerMessage {
    /// Who it is from (for an offer: the proposed partner).
    pub from: PersonId,
    /// Where an answer to `from` goes; the runtime fills in the chat the sending step
    /// ran in when the sender leaves it empty.
    #[serde(default)]
    pub reply_to: Option<ChatKey>,
    pub about: ProposalId,
    pub kind: PeerKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PeerKind {
    /// The matcher proposes `from` as a partner.
    Offer {
        partner_chat: ChatKey,
        partner_profile: Box<Profile>,
        expires_at: DateTime<Utc>,
    },
    /// `from` accepted the proposal.
    Accepted,
    /// `from` declined the proposal.
    Declined,
    /// `from` saw both acceptances: the partnership is on.
    Confirmed,
    /// `from` no longer holds this proposal or partnership (it expired, they left the
    /// queue, they were erased ...): drop it too.
    Void,
    /// Text `from` wrote to their partner.
    Relay { text: String },
    /// A relayed message was not delivered, and why.
    NotDelivered { reason: Undelivered },
    /// `from` asked to reveal handles; theirs is `handle`.
    RevealAsked { handle: String },
    /// `from` agreed to the reveal their partner asked for; theirs is `handle`.
    Revealed { handle: String },
    /// `from` ended the partnership.
    Ended,
    /// `from` says this person did not show up for practice.
    NoShow,
}

/// Why a relayed message did not reach the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Undelivered {
    /// The partner paused (matching and the relay).
    Paused,
    /// The partner blocked the bot.
    Unreachable,
}
