//! The Submit step: the registration sent by the engine (`onboarding::register`), each of its
//! steps shown as it starts and finishes; on failure the message and whether it can resume.

use super::Screen;
use super::authorize::{AuthorizeState, ProfileView};
use crate::app::keymap::{Action, Context};
use crate::app::{App, Effect, ReqId, Step};
use crate::onboarding::register::{RegisterEvent, RegisterOutcome};
use crate::profiles::model::RegistrationStep;
use crate::text::sanitize;

#[derive(Debug, Clone, PartialEq)]
pub enum StepState {
    Pending,
    Running,
    Done(String),
    /// The step that was running when the registration failed.
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    /// The admin secret is stored: `--resume` (or r here) continues from the last step.
    pub resumable: bool,
    /// Nothing was sent: the keyring (named here) forgets at reboot and the user has not
    /// agreed to use it (issue 9 item 8).
    pub volatile_keyring: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct SubmitState {
    pub profile: String,
    pub steps: Vec<(RegistrationStep, StepState)>,
    /// Request id of the running registration.
    pub running: Option<u64>,
    pub outcome: Option<RegisterOutcome>,
    pub failure: Option<Failure>,
    /// The keyring that forgets at reboot the user is being asked about.
    pub volatile: Option<String>,
    /// The user agreed to keep this session's secrets in such a keyring.
    pub volatile_ok: bool,
}

impl SubmitState {
    pub fn start(&mut self, profile: &str, req: u64) {
        self.profile = profile.to_owned();
        if self.steps.is_empty() {
            self.steps = RegistrationStep::ALL
                .iter()
                .map(|s| (*s, StepState::Pending))
                .collect();
        }
        for (_, st) in &mut self.steps {
            if *st == StepState::Running {
                *st = StepState::Pending;
            }
        }
        self.running = Some(req);
        self.failure = None;
    }

    pub fn progress(&mut self, event: RegisterEvent) {
        let (step, state) = match event {
            RegisterEvent::Started { step } => (step, StepState::Running),
            RegisterEvent::Done { step, detail } => (step, StepState::Done(sanitize(&detail))),
        };
        // The engine stores the admin secret as part of the registration step.
        let also_stored =
            step == RegistrationStep::Registered && matches!(state, StepState::Done(_));
        self.set(step, state);
        if also_stored {
            self.set(
                RegistrationStep::AdminSecretStored,
                StepState::Done(String::new()),
            );
        }
    }

    fn set(&mut self, step: RegistrationStep, state: StepState) {
        if let Some((_, st)) = self.steps.iter_mut().find(|(s, _)| *s == step) {
            *st = state;
        }
    }

    /// Records a failure: the running step is marked failed.
    pub fn fail(&mut self, failure: Failure) {
        for (_, st) in &mut self.steps {
            if *st == StepState::Running {
                *st = StepState::Failed;
            }
        }
        // Engine errors can quote what a server sent.
        self.failure = Some(Failure {
            message: sanitize(&failure.message),
            ..failure
        });
    }

    pub fn done(&self) -> bool {
        self.outcome.is_some()
    }
}

/// The Submit screen's input.
pub struct Submit;

impl Screen for Submit {
    fn context(&self, _app: &App) -> Context {
        Context::Submit
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        match action {
            Action::Next | Action::Activate if app.submit.done() => app.step = Step::Authorize,
            Action::Retry => return retry(app),
            // Refused before anything was stored: back to change what is sent.
            Action::Back => app.step = Step::Review,
            _ => {}
        }
        Vec::new()
    }
}

fn retry(app: &mut App) -> Vec<Effect> {
    match &app.submit.failure {
        Some(f) if f.resumable => {
            let req = app.req();
            let profile = app.submit.profile.clone();
            app.submit.start(&profile, req);
            vec![Effect::ResumeRegistration { req, profile }]
        }
        Some(_) => send(app, true),
        None => Vec::new(),
    }
}

/// Sends the registration (Review → Submit, or again after a failure before anything was
/// stored).
pub(crate) fn send(app: &mut App, again: bool) -> Vec<Effect> {
    let (Some(meta), Some(plan)) = (app.meta.clone(), app.registration.plan.clone()) else {
        return Vec::new();
    };
    if app.registered() && !again {
        app.step = Step::Submit;
        return Vec::new();
    }
    let req = app.req();
    let profile = app.registration.profile_name();
    app.submit.start(&profile, req);
    app.step = Step::Submit;
    vec![Effect::Register {
        req,
        meta,
        metadata_url: app.metadata_url.clone(),
        plan: Box::new(plan),
        profile,
        volatile_ok: app.submit.volatile_ok,
    }]
}

/// The answer to "keep the secrets in a keyring that forgets at reboot?": yes sends the
/// registration; no leaves it unsent on the Review step.
pub(crate) fn volatile_answered(app: &mut App, yes: bool) -> Vec<Effect> {
    if yes {
        app.submit.volatile_ok = true;
        return send(app, true);
    }
    app.submit.volatile = None;
    app.notice = Some(crate::app::Notice::NotSent);
    Vec::new()
}

/// A progress event of the running registration.
pub(crate) fn progress(app: &mut App, req: ReqId, event: RegisterEvent) {
    if app.submit.running == Some(req) {
        app.submit.progress(event);
    }
}

/// The registration finished: the new profile is ready to authorize.
pub(crate) fn finished(
    app: &mut App,
    req: ReqId,
    result: Result<(Box<RegisterOutcome>, ProfileView), Failure>,
) {
    if app.submit.running != Some(req) {
        return;
    }
    app.submit.running = None;
    match result {
        Ok((outcome, profile)) => {
            app.taken_profiles.push(profile.name.clone());
            app.submit.outcome = Some(*outcome);
            app.authorize = AuthorizeState {
                profile: Some(profile),
                ..AuthorizeState::default()
            };
        }
        Err(Failure {
            volatile_keyring: Some(store),
            ..
        }) => {
            // Nothing was sent: ask, from the Review step, before anything is.
            app.submit.steps.clear();
            app.submit.volatile = Some(sanitize(&store));
            app.step = Step::Review;
            app.overlay = Some(crate::app::Overlay::Confirm(
                crate::app::widgets::confirm::Question::VolatileKeyring,
            ));
        }
        Err(f) => app.submit.fail(f),
    }
}
