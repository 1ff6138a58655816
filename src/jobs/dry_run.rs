//! A dry run: one request sent to the backend's dry-run URL on a connection of its own, so that
//! nothing of it mixes with the jobs' own traffic, and closed again.

use std::rc::Rc;

use leptos::prelude::*;

use runware::{Task, VideoInference};

use super::NewJob;
use super::engine::{Engine, SEND_TIMEOUT_MS, fresh_id};
use crate::draft::server_check::{self, Verdict};
use crate::transport::Transport;

impl Engine {
    /// Asks the current backend whether it would accept `request`, without running it. The
    /// request goes under a `taskUUID` of its own, so that the real submission later cannot meet
    /// `conflictTaskUUID` on a server that remembers dry runs.
    pub async fn dry_run(self: &Rc<Self>, request: VideoInference) -> Verdict {
        let backend = self.settings.backend.get_untracked();
        let mut target = self.target(&backend);
        target.endpoints.rest = server_check::dry_run_url(&target.endpoints.rest);
        target.endpoints.ws = server_check::dry_run_url(&target.endpoints.ws);
        let id = fresh_id();
        let request = VideoInference {
            task_uuid: id,
            ..request
        };
        // Nothing is pushed for a task that does not run: no handler is needed.
        let transport = Transport::open(target, Rc::new(|_| {}));
        let answer = transport
            .send(&[Task::from(request.clone())], SEND_TIMEOUT_MS)
            .await;
        transport.close();
        let verdict = match answer {
            Ok(reply) => server_check::read_verdict(&id.to_string(), &reply),
            Err(error) => Verdict::Unanswered(error.to_string()),
        };
        if let Verdict::RanPerhaps(_) = verdict {
            // A server that ignores the dry-run mark has started (and will charge) the job:
            // its videos are followed like any other's rather than lost.
            self.adopt(NewJob {
                request,
                first_frame_thumb: None,
                last_frame_thumb: None,
            })
            .await;
        }
        verdict
    }
}
