// Records of the menjin HTTP API as src/server/openapi.json defines them. Times are UTC
// strings such as "2026-01-31T08:00:00Z".

export type Role = "centre_admin" | "estate_staff" | "auditor";
export type Band = "grant" | "deny" | "retry";

export interface Operator {
  id: string;
  display_name: string;
  role: Role;
  estate_id: string | null;
  failed_logins: number;
  locked_until: string | null;
  disabled: boolean;
  created_at: string;
  version: number;
}

export interface Estate {
  id: string;
  name: string;
  timezone: string;
  target_fpir: number;
  min_margin: number;
  welfare_days: number;
  version: number;
}

export interface Gate {
  id: string;
  estate_id: string;
  name: string;
  direction: "entry" | "exit" | "both";
  version: number;
}

export interface DeviceCredential {
  id: string;
  gate_id: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

export interface IssuedDeviceCredential {
  device_credential: DeviceCredential;
  // Bearer token of the gate device, returned only once.
  token: string;
}

export interface Unit {
  id: string;
  estate_id: string;
  building: string;
  number: string;
  address: string;
  version: number;
}

export interface Person {
  id: string;
  name: string;
  birth_year: number;
  phone: string;
  role: "tenant" | "family_member" | "service_staff";
  household_id: string | null;
  welfare_days: number | null;
  created_at: string;
  version: number;
}

export interface PersonDetail extends Person {
  estate_ids: string[];
  face_templates: number;
}

export interface Household {
  id: string;
  unit_id: string;
  tenant_person_id: string | null;
  version: number;
  members?: Person[];
}

export interface UnitWithHousehold {
  unit: Unit;
  household: Household | null;
}

export interface QualityResult {
  passed: boolean;
  reasons: string[];
  inter_eye_px?: number;
  sharpness?: number;
  yaw_deg?: number;
  pitch_deg?: number;
  roll_deg?: number;
  brightness?: number;
}

export interface Enrolment {
  accepted: boolean;
  reasons: string[];
  messages: string[];
  faces_found: number;
  // Box in pixels of the upright (EXIF-rotated) photo.
  face: {
    box: { x: number; y: number; width: number; height: number };
    score: number;
    quality: QualityResult;
  } | null;
  template_id?: number;
  duplicate_person_id?: string;
  duplicate_score?: number;
}

export interface Receipt {
  id: string;
  person_pseudonym: string;
  at: string;
  operator_id: string;
  templates_deleted: number;
  thumbnails_deleted: number;
  grants_deleted: number;
  credentials_deleted: number;
  gallery_entries_deleted: number;
  passages_pseudonymised: number;
  person_record_deleted: boolean;
  staff_record_deleted: boolean;
}

export interface Grant {
  id: string;
  person_id: string;
  estate_id: string;
  valid_from: string;
  valid_to: string;
  schedule: string;
  version: number;
}

export interface AltCredential {
  id: string;
  person_id: string;
  kind: "card" | "pin" | "qr";
  created_at: string;
  revoked: boolean;
}

export interface Company {
  id: string;
  name: string;
  kind: "courier" | "food_delivery" | "other";
  contact_name: string;
  contact_phone: string;
  version: number;
}

export interface ServiceStaff {
  person_id: string;
  company_id: string;
  verified_by: string;
  verified_at: string;
  verified_contact: string;
  valid_from: string;
  valid_to: string;
  estate_ids: string[];
  version: number;
}

export interface ServiceStaffRecord {
  person: Person;
  staff: ServiceStaff;
}

export interface Passage {
  id: number;
  gate_id: string;
  estate_id: string;
  at: string;
  direction: string;
  person_id: string | null;
  pseudonym: string | null;
  band: Band;
  reason: string;
  score: number;
  credential: string;
}

export interface PassagePage {
  passages: Passage[];
  next_before_id: number | null;
}

export interface PassageReport {
  counts: { estate_id: string; gate_id: string; band: Band; count: number }[];
  totals: Record<Band, number>;
  // With ?bucket=day|hour|hour_of_day: the counts per bucket of the estate's time zone.
  bucket?: string;
  timezone?: string;
  series?: SeriesPoint[];
}

export interface Decision {
  decision: Band;
  display_name: string | null;
  photo_url: string | null;
  reason: string;
  gate_id?: string;
  passage_id?: number;
  at?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  actor_role: string;
  action: string;
  record_type: string;
  record_id: string;
  remote_address: string;
  outcome: string;
  prev_hash: string;
  hash: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  next_after_seq: number | null;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  last_seq: number;
  head_hash: string;
  first_bad_seq: number | null;
  problem: string | null;
}

export type AlertStatus = "open" | "acknowledged" | "resolved";
export type AlertOutcome = "visited_well" | "in_hospital" | "away_with_family" | "other";

// The person an alert or lead names, as the API summarises them. Only the masked name is shown.
export interface PersonSummary {
  id: string;
  name: string;
  role: Person["role"];
  birth_year: number;
  welfare_days: number | null;
  household_id: string;
  unit: { id: string; building: string; number: string } | null;
}

export interface WelfareAlert {
  id: number;
  estate_id: string;
  person_id: string;
  status: AlertStatus;
  // Evidence at raising time: the days the rule requires and whole local days without a passage.
  days_required: number;
  days_since_seen: number;
  last_seen_at: string;
  last_passage_id: number | null;
  raised_at: string;
  seen_again_at: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  acknowledge_note: string;
  resolved_by: string | null;
  resolved_at: string | null;
  outcome: AlertOutcome | null;
  resolve_note: string;
  version: number;
  // In lists and details only; null when the person record is gone (moved out).
  person?: PersonSummary | null;
  recent_passages?: Passage[];
}

export interface AlertPage {
  alerts: WelfareAlert[];
  next_before_id: number | null;
}

export interface WatchedResident {
  person_id: string;
  name: string;
  role: Person["role"];
  birth_year: number;
  welfare_days: number | null;
  household_id: string;
  days_required: number;
  days_since_seen: number;
  last_sign_of_life: string;
  absent: boolean;
  last_passage: { id: number; at: string; gate_id: string; credential: string } | null;
  latest_alert: { id: number; status: AlertStatus } | null;
}

export interface WelfareSettings {
  estate_id: string;
  min_age: number;
  sublet_days: number;
  sublet_min_use_days: number;
  sublet_min_use_passages: number;
  unknown_face_retention_days: number;
  unknown_face_min_attempts: number;
  unknown_face_min_days: number;
  evaluation_interval_minutes: number;
  webhook_configured: boolean;
  // Centre admins only; may carry a secret token.
  webhook_url?: string | null;
  // The estate's days without a passage before an alert (Estate.welfare_days).
  default_days: number;
  // 0 while the estate uses the defaults.
  version: number;
}

export interface WelfareEvaluationResult {
  alerts: {
    residents: number;
    watched: number;
    absent: number;
    raised: number[];
    seen_again: number;
  };
  leads: { raised: number[]; updated: number[] };
}

export type LeadKind =
  "tenant_absent_unit_in_use" | "recurring_unknown_face" | "duplicate_identity";
export type LeadOutcome = "confirmed" | "no_issue" | "recognition_error" | "other";

// Evidence of a lead; which fields are present depends on the kind.
export interface LeadEvidence {
  // tenant_absent_unit_in_use
  household_id?: string;
  unit_id?: string;
  tenant_person_id?: string;
  tenant_last_seen?: string;
  tenant_absent_days?: number;
  use_passages?: number;
  use_days?: number;
  users?: string[];
  credentials?: Record<string, number>;
  first_use?: string;
  last_use?: string;
  passage_ids?: number[];
  // recurring_unknown_face
  attempt_count?: number;
  distinct_days?: number;
  gates?: string[];
  first_at?: string | null;
  last_at?: string | null;
  // duplicate_identity
  person_ids?: string[];
  score?: number;
  threshold?: number;
}

export interface Lead {
  id: number;
  kind: LeadKind;
  // null for a duplicate identity across estates, which only centre admins see.
  estate_id: string | null;
  subject: string;
  evidence: LeadEvidence | null;
  status: "open" | "closed";
  raised_at: string;
  updated_at: string;
  closed_by: string | null;
  closed_at: string | null;
  outcome: LeadOutcome | null;
  close_note: string;
  version: number;
  // In details only.
  people?: PersonSummary[];
  passages?: Passage[];
}

export interface LeadPage {
  leads: Lead[];
  next_before_id: number | null;
}

export interface SeriesPoint {
  label: string;
  start?: string;
  grant: number;
  deny: number;
  retry: number;
}

export interface WelfareReport {
  estate_id: string;
  from: string;
  to: string;
  alerts: {
    open: number;
    acknowledged: number;
    raised: number;
    resolved: number;
    resolved_by_outcome: Record<string, number>;
  };
  time_to_acknowledge: {
    acknowledged: number;
    mean_seconds: number | null;
    median_seconds: number | null;
  };
  leads: { open_by_kind: Record<string, number>; raised: number };
  webhooks: { pending: number; failed: number };
  passages: { timezone: string; per_day: SeriesPoint[]; per_hour_of_day: SeriesPoint[] };
}
