//! A blocking thread that reads what discovery fetched (issue 15), job after job in the order
//! they were queued, while the async side goes on fetching. Discovery has two: one reads the
//! coverage pages in listing order, the other the OAuth metadata beside them (on two cores,
//! reading both one after the other made the listing wait for the OAuth document). Both are
//! off the async workers, so reading never delays the next request.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

/// At most this many jobs wait (each holds one fetched document): the walk slows down rather
/// than buffering a whole listing while the OAuth metadata is being read.
const QUEUE: usize = 16;

type Job = Box<dyn FnOnce() + Send>;

type Panic = Box<dyn std::any::Any + Send>;

/// A handle on the reading thread; the thread ends when every handle is dropped.
#[derive(Clone)]
pub(super) struct Worker {
    tx: mpsc::Sender<Job>,
    /// The first panic of a queued job, resumed by the next [`Worker::run`].
    panic: Arc<Mutex<Option<Panic>>>,
}

impl Worker {
    pub(super) fn start() -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
        tokio::task::spawn_blocking(move || {
            while let Some(job) = rx.blocking_recv() {
                job();
            }
        });
        Worker {
            tx,
            panic: Arc::default(),
        }
    }

    /// Runs `f` on the thread after every job queued before it, and waits for its result. A
    /// panic in `f`, or in a job queued before it, is resumed here (the panic hook reports it
    /// as a bug).
    pub(super) async fn run<R: Send + 'static>(&self, f: impl FnOnce() -> R + Send + 'static) -> R {
        let (done, result) = oneshot::channel();
        self.queue(move || {
            let _ = done.send(f());
        })
        .await;
        let result = result.await;
        if let Some(panic) = self.panic.lock().unwrap_or_else(|p| p.into_inner()).take() {
            resume_unwind(panic);
        }
        match result {
            Ok(r) => r,
            // Only a runtime shutting down ends the thread with jobs queued.
            Err(_) => panic!("discovery's reading thread stopped"),
        }
    }

    /// Queues `f` without waiting for it (only for room in the queue).
    pub(super) async fn queue(&self, f: impl FnOnce() + Send + 'static) {
        let panic = self.panic.clone();
        let job: Job = Box::new(move || {
            if let Err(p) = catch_unwind(AssertUnwindSafe(f)) {
                panic
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(p);
            }
        });
        if let Err(mpsc::error::SendError(job)) = self.tx.send(job).await {
            // Only a runtime shutting down ends the thread: do the job here then.
            job();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_in_order_on_one_thread() {
        let w = Worker::start();
        let seen = Arc::new(Mutex::new(Vec::new()));
        for i in 0..40 {
            let seen = seen.clone();
            w.queue(move || seen.lock().unwrap().push((i, std::thread::current().id())))
                .await;
        }
        let last = w.run(|| std::thread::current().id()).await;
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.iter().map(|s| s.0).collect::<Vec<_>>(),
            (0..40).collect::<Vec<_>>()
        );
        assert!(seen.iter().all(|s| s.1 == last));
        assert_ne!(last, std::thread::current().id());
    }

    #[tokio::test]
    async fn a_panic_reaches_the_caller() {
        let w = Worker::start();
        let r = tokio::spawn(async move { w.run(|| panic!("boom")).await }).await;
        assert!(r.unwrap_err().is_panic());
    }
}
