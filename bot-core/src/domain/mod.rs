//! Domain types: who a person is, what their profile holds, and the newtypes that make invalid values unrepresentable.

mod availability;
mod ids;
mod language;
mod level;
mod local_time;
mod partnering;
mod practice;
mod profile;
mod style;
mod timezone;

pub use availability::{Availability, DayKind, DayPart, Slot};
pub use ids::{AccountRef, ChatKey, PersonId, Platform};
pub use language::{LanguageCode, Locale};
pub use level::CefrLevel;
pub use local_time::{
    LocalTime, QuietHours, Weekdays, local_date, next_occurrence, outside_quiet, resolve,
};
pub use partnering::{
    EndedBy, MAX_PARTNER_HISTORY, PartnerRef, PartnerStatus, Partnering, Partnership,
    PastPartnership, Proposal, ProposalId, ReportReason,
};
pub use practice::{
    ActiveExam, Enrollment, ExamEnd, ExamRecord, FinishedCourse, MAX_EXAM_HISTORY, Practice,
    QuietSetting, Reengagement, Reminder, ResolvedStep, Streak,
};
pub use profile::{Bio, BioError, InterestId, LevelChoice, Profile, TargetLanguage};
pub use style::{PracticeStyle, PracticeStyles};
pub use timezone::{Timezone, TimezoneError, fold_name};
