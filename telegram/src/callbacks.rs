//! Answering callback queries: Telegram shows a spinner on the pressed button until the
//! bot answers, so every query is answered once its step committed, whatever the
//! engine made of the press (its reply, if any, is an ordinary message).

use teloxide::prelude::{Bot, Requester};
use teloxide::types::CallbackQueryId;

/// Answers in the background; a failure only leaves the spinner to time out.
pub fn answer_callbacks(bot: &Bot, callbacks: Vec<CallbackQueryId>) {
    for id in callbacks {
        let bot = bot.clone();
        tokio::spawn(async move {
            if let Err(error) = bot.answer_callback_query(id).await {
                tracing::debug!(%error, "answerCallbackQuery failed");
            }
        });
    }
}
