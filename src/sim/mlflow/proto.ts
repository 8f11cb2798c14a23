// Store entities → the JSON of their protos as MLflow's message_to_json writes them: fields in
// proto field-number order, unset optionals and empty repeated fields left out, int64 as numbers,
// doubles as Python floats.
import { PyFloat } from '../http/pyjson.js';
import type { Experiment, ModelVersion, RegisteredModel, Run } from './store.js';

type Json = Record<string, unknown>;

export function experimentProto(e: Experiment): Json {
  return {
    experiment_id: e.id,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: tagList(e.tags),
  };
}

export function runInfoProto(r: Run): Json {
  return {
    run_uuid: r.runId,
    experiment_id: r.experimentId,
    run_name: r.runName,
    user_id: r.userId,
    status: r.status,
    start_time: r.startTime,
    end_time: r.endTime,
    artifact_uri: r.artifactUri,
    lifecycle_stage: r.lifecycleStage,
    run_id: r.runId,
  };
}

/**
 * A run. runs/create answers without `inputs` (the new run has none loaded); runs/get and search
 * add `"inputs": {}` — both as recorded.
 */
export function runProto(r: Run, withInputs: boolean): Json {
  return {
    info: runInfoProto(r),
    data: {
      metrics: nonEmpty(
        [...r.metrics.values()].map((m) => ({ key: m.key, value: new PyFloat(m.value), timestamp: m.timestamp, step: m.step })),
      ),
      params: tagList(r.params),
      tags: tagList(r.tags),
    },
    inputs: withInputs ? {} : undefined,
  };
}

export function modelVersionProto(mv: ModelVersion): Json {
  return {
    name: mv.name,
    version: String(mv.version),
    creation_timestamp: mv.creationTimestamp,
    last_updated_timestamp: mv.lastUpdatedTimestamp,
    current_stage: mv.currentStage,
    description: mv.description,
    source: mv.source,
    run_id: mv.runId || undefined,
    status: mv.status,
    status_message: mv.statusMessage || undefined,
    tags: tagList(mv.tags),
    run_link: mv.runLink,
  };
}

export function registeredModelProto(m: RegisteredModel, latest: ModelVersion[]): Json {
  return {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    description: m.description || undefined,
    latest_versions: nonEmpty(latest.map(modelVersionProto)),
    tags: tagList(m.tags),
  };
}

export function tagList(tags: Map<string, string>): Array<{ key: string; value: string }> | undefined {
  return nonEmpty([...tags].map(([key, value]) => ({ key, value })));
}

export function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length ? list : undefined;
}
