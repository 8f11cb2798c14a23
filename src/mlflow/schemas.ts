// zod shapes of the MLflow 2.x REST answers the check relies on (fixtures/mlflow-2.12.2). Only the
// fields we read are required; MLflow omits empty repeated fields, so lists are optional.
import { z } from 'zod';

export const MlflowError = z.object({ error_code: z.string(), message: z.string() });

export const Experiment = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().optional(),
  lifecycle_stage: z.string().optional(),
});

export const SearchExperiments = z.object({ experiments: z.array(Experiment).optional(), next_page_token: z.string().optional() });
export const GetExperiment = z.object({ experiment: Experiment });
export const CreateExperiment = z.object({ experiment_id: z.string() });

export const RunTag = z.object({ key: z.string(), value: z.string().optional() });
export const RunInfo = z.object({
  run_id: z.string(),
  experiment_id: z.string(),
  artifact_uri: z.string(),
  lifecycle_stage: z.string().optional(),
  start_time: z.union([z.number(), z.string()]).optional(),
  run_name: z.string().optional(),
});
export const Run = z.object({
  info: RunInfo,
  data: z.object({ tags: z.array(RunTag).optional() }).optional(),
});
export const CreateRun = z.object({ run: Run });
export const SearchRuns = z.object({ runs: z.array(Run).optional(), next_page_token: z.string().optional() });

export const ArtifactList = z.object({
  files: z
    .array(z.object({ path: z.string(), is_dir: z.boolean().optional(), file_size: z.union([z.number(), z.string()]).optional() }))
    .optional(),
});

export const RegisteredModel = z.object({
  name: z.string(),
  tags: z.array(RunTag).optional(),
  creation_timestamp: z.union([z.number(), z.string()]).optional(),
  latest_versions: z.array(z.object({ version: z.string() })).optional(),
});
export const GetRegisteredModel = z.object({ registered_model: RegisteredModel });
export const SearchRegisteredModels = z.object({
  registered_models: z.array(RegisteredModel).optional(),
  next_page_token: z.string().optional(),
});

export const ModelVersionStatus = z.enum(['PENDING_REGISTRATION', 'READY', 'FAILED_REGISTRATION']);
export const ModelVersion = z.object({
  name: z.string(),
  version: z.string(),
  status: ModelVersionStatus,
  status_message: z.string().optional(),
  source: z.string().optional(),
  run_id: z.string().optional(),
  tags: z.array(RunTag).optional(),
});
export const GetModelVersion = z.object({ model_version: ModelVersion });
export const SearchModelVersions = z.object({ model_versions: z.array(ModelVersion).optional() });

export const Empty = z.object({});
