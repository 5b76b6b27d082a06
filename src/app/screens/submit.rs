//! The Submit step: the registration sent by the engine (`onboarding::register`), each of its
//! steps shown as it starts and finishes; on failure the message and whether it can resume.

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
}

#[derive(Debug, Clone, Default)]
pub struct SubmitState {
    pub profile: String,
    pub steps: Vec<(RegistrationStep, StepState)>,
    /// Request id of the running registration.
    pub running: Option<u64>,
    pub outcome: Option<RegisterOutcome>,
    pub failure: Option<Failure>,
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
