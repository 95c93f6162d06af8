//! A person's side of matching: their place in the queue, the proposal the matcher made
//! them, their partnership, and who they must never be paired with again.
//!
//! Each person keeps their own side, written only by their own steps; the two sides of a
//! proposal or a partnership agree through peer messages
//! ([`crate::engine::PeerMessage`]) that one side's step sends to the other. Stale
//! messages (about a proposal or partnership a side no longer has) are answered with
//! `Void`, which ends whatever the sender still holds of it, so the two sides can never
//! stay apart for long.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ChatKey, PersonId, Profile};

/// Past partnerships kept per person; older ones are dropped (their partner stays in
/// `former`).
pub const MAX_PARTNER_HISTORY: usize = 50;

/// The id of one proposal, kept by the partnership it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProposalId(Uuid);

impl ProposalId {
    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }

    pub fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    pub fn parse(input: &str) -> Option<Self> {
        Uuid::parse_str(input.trim()).ok().map(Self)
    }

    /// The first 8 hex digits: enough to tell a person's proposals apart in button data.
    pub fn short(&self) -> String {
        let mut text = self.0.simple().to_string();
        text.truncate(8);
        text
    }
}

impl fmt::Display for ProposalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Everything a person's matching side holds. Every field has a default, so a record
/// from before matching existed reads back as "not looking".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Partnering {
    pub status: PartnerStatus,
    /// People this person blocked: never paired again, nothing relayed.
    pub blocked: Vec<PersonId>,
    /// Former partners and people a proposal with them fell through (declined,
    /// expired): never proposed again.
    pub former: Vec<PersonId>,
    /// Partners who said this person did not show up.
    pub no_shows: u32,
    /// Proposals that expired without this person's answer; each lowers their priority
    /// in the queue.
    pub missed_proposals: u32,
    /// Ended partnerships, oldest first.
    pub history: Vec<PastPartnership>,
    /// Relay rate limit: messages relayed in the minute starting at `relay_window`.
    pub relay_window: Option<DateTime<Utc>>,
    pub relayed_in_window: u32,
}

impl Partnering {
    /// Whether this person must never be paired with `other` (either side's block, a
    /// former partner, a fallen-through proposal).
    pub fn excludes(&self, other: PersonId) -> bool {
        self.blocked.contains(&other) || self.former.contains(&other)
    }

    pub fn remember_former(&mut self, other: PersonId) {
        if !self.former.contains(&other) {
            self.former.push(other);
        }
    }

    /// When they started waiting, if they are in the queue.
    pub fn waiting_since(&self) -> Option<DateTime<Utc>> {
        match &self.status {
            PartnerStatus::Waiting { since } => Some(*since),
            _ => None,
        }
    }

    pub fn proposal(&self) -> Option<&Proposal> {
        match &self.status {
            PartnerStatus::Proposed(proposal) => Some(proposal),
            _ => None,
        }
    }

    pub fn partnership(&self) -> Option<&Partnership> {
        match &self.status {
            PartnerStatus::Partnered(partnership) => Some(partnership),
            _ => None,
        }
    }

    /// The partner of the current proposal or partnership, and its id.
    pub fn current(&self) -> Option<(&PartnerRef, ProposalId)> {
        match &self.status {
            PartnerStatus::Proposed(proposal) => Some((&proposal.partner, proposal.id)),
            PartnerStatus::Partnered(partnership) => Some((&partnership.partner, partnership.id)),
            PartnerStatus::Idle | PartnerStatus::Waiting { .. } => None,
        }
    }
}

/// Where a person stands with matching.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PartnerStatus {
    /// Not looking for a partner.
    #[default]
    Idle,
    /// In the matcher's queue (/find) since then.
    Waiting { since: DateTime<Utc> },
    /// The matcher proposed a partner; both must accept.
    Proposed(Box<Proposal>),
    /// An active partnership: the relay is open.
    Partnered(Box<Partnership>),
}

/// The other side of a proposal or partnership, as this person's side knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerRef {
    pub person: PersonId,
    /// Where messages for them go (the chat the matcher found them in).
    pub chat: ChatKey,
    /// Their profile when they were proposed: the card this person saw.
    pub profile: Profile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: ProposalId,
    pub partner: PartnerRef,
    pub made_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// This person accepted. (A decline ends the proposal at once.)
    pub accepted: bool,
    /// The partner's acceptance has arrived.
    pub partner_accepted: bool,
    /// When this person started waiting: a proposal that falls through through no fault
    /// of theirs puts them back in the queue with their place kept.
    pub waiting_since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partnership {
    /// The proposal it grew from.
    pub id: ProposalId,
    pub partner: PartnerRef,
    pub since: DateTime<Utc>,
    /// This person asked to reveal handles (/reveal).
    pub reveal_asked: bool,
    /// The partner asked to reveal: their handle, shown once this person asks too.
    pub partner_handle: Option<String>,
    /// Both asked: the handles were exchanged.
    pub revealed: bool,
    /// Messages relayed each way.
    pub sent: u32,
    pub received: u32,
    /// The "did you practise?" follow-up was answered.
    #[serde(default)]
    pub follow_up_answered: bool,
}

/// A partnership that ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastPartnership {
    pub id: ProposalId,
    pub partner: PersonId,
    pub since: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub ended_by: EndedBy,
    /// The 1-5 rating this person gave, if they ended it and rated.
    pub rating: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    Me,
    Partner,
    /// This person blocked the partner.
    Block,
    /// One side left lexbot or could not be reached.
    Gone,
}

impl PastPartnership {
    pub fn push(history: &mut Vec<PastPartnership>, record: PastPartnership) {
        history.push(record);
        if history.len() > MAX_PARTNER_HISTORY {
            let excess = history.len() - MAX_PARTNER_HISTORY;
            history.drain(..excess);
        }
    }
}

/// Why a report was filed, for admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    Harassment,
    Inappropriate,
    NoShow,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] = [
        ReportReason::Spam,
        ReportReason::Harassment,
        ReportReason::Inappropriate,
        ReportReason::NoShow,
        ReportReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Harassment => "harassment",
            ReportReason::Inappropriate => "inappropriate",
            ReportReason::NoShow => "no_show",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_record_reads_back_as_not_looking() {
        let record: Partnering = serde_json::from_str("{}").expect("empty record");
        assert_eq!(record.status, PartnerStatus::Idle);
        assert!(record.blocked.is_empty());
    }

    #[test]
    fn history_keeps_the_newest() {
        let id = ProposalId::new_random();
        let at = Utc::now();
        let mut history = Vec::new();
        for n in 0..(MAX_PARTNER_HISTORY + 3) {
            PastPartnership::push(
                &mut history,
                PastPartnership {
                    id,
                    partner: PersonId::new_random(),
                    since: at,
                    ended_at: at,
                    ended_by: EndedBy::Me,
                    rating: Some((n % 5 + 1) as u8),
                },
            );
        }
        assert_eq!(history.len(), MAX_PARTNER_HISTORY);
        assert_eq!(history[0].rating, Some(4));
    }

    #[test]
    fn report_reasons_round_trip() {
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(ReportReason::parse("rude"), None);
    }
}
