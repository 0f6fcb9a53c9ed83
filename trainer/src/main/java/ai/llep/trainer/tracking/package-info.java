/**
 * Experiment tracking in MLflow's model: experiments hold runs; a run has parameters, metrics
 * (values by step and time), tags, artifacts and a status.
 *
 * <p>{@link ai.llep.trainer.tracking.Trackers#open} picks the store from {@code tracking.uri}: a
 * folder ({@code file:./mlruns}, the default, or a plain path) gets {@link
 * ai.llep.trainer.tracking.FileStoreTracker}, which writes MLflow's file-store layout so that
 * {@code mlflow ui --backend-store-uri ./mlruns} opens it; an {@code http://} or {@code https://}
 * server gets {@link ai.llep.trainer.tracking.RestTracker}, which sends from a background thread so
 * that a slow or lost server never stalls or fails training.
 *
 * <p>Keys are checked as MLflow checks them, at the call, so a bad key fails where it is logged
 * rather than later on a server.
 */
package ai.llep.trainer.tracking;
