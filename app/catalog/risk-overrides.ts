// Hand-reviewed risk classes that the generic rule in risk.ts would get wrong or that must
// not depend on a heuristic. Keyed `<api>.<original operationId>`. Data only: every entry
// carries the reason shown in the UI. Sources: reference nexus-dashboard-api.md §8.1 (sensitive
// GETs), §8.2 (state-changing GETs), §8.3 (POSTs that read), and a review of the 844
// operations of the ND 4.1 documents (marked "review").

import type { RiskClass } from "./operation.ts";

export interface RiskOverride {
  risk: RiskClass;
  reason: string;
}

export type RiskOverrides = Readonly<Record<string, RiskOverride>>;

const sensitive = (reason: string): RiskOverride => ({ risk: "sensitive-read", reason });
const read = (reason: string): RiskOverride => ({ risk: "read", reason });
const write = (reason: string): RiskOverride => ({ risk: "write", reason });
const destructive = (reason: string): RiskOverride => ({ risk: "destructive", reason });

export const RISK_OVERRIDES: RiskOverrides = {
  // §8.1 Sensitive GETs — secrets, key material, archives, user directories.
  "infra.listCredentialsStores": sensitive("credential-store metadata (ND opens it to observer)"),
  "infra.getCredentialsStoresByType": sensitive("credential-store configuration (CyberArk etc.)"),
  "infra.executeBackupDownload": sensitive("downloads a full configuration archive"),
  "infra.getDownloadTechSupport": sensitive("downloads a tech-support bundle (logs, configs)"),
  "infra.getTechSupport": sensitive("inventory of tech-support archives"),
  "infra.listBackups": sensitive("inventory of configuration backups"),
  "infra.getBackup": sensitive("configuration backup details"),
  "infra.listBackupSchedules": sensitive("review: schedules carry the backup encryption key in clear"),
  "infra.getBackupSchedule": sensitive("review: a schedule carries the backup encryption key in clear"),
  "infra.listUserAPIKeys": sensitive("API-key management"),
  "infra.getSpecificAPIKey": sensitive("API-key management"),
  "infra.listLocalUsers": sensitive("user directory"),
  "infra.listRemoteUsers": sensitive("user directory"),
  "infra.getLocalUserByID": sensitive("user directory"),
  "infra.getRemoteUserByID": sensitive("user directory"),
  "infra.listTrustedSecureKeys": sensitive("key material"),
  "infra.getTrustedSecureKeyByID": sensitive("key material"),
  "infra.getHttpSecurityConfig": sensitive("security posture of the HTTPS server"),
  "infra.getSshSecurityConfig": sensitive("security posture of the SSH server"),
  "infra.getK8sIntegrationCSR": sensitive("certificate signing request"),
  "infra.getOpenShiftCSR": sensitive("certificate signing request"),
  "infra.getK8sIntegrationTools": sensitive("integration tooling"),
  "infra.getOpenShiftTools": sensitive("integration tooling"),
  "infra.getClusterConfig": sensitive("includes proxy settings with basic-auth user and password"),
  "infra.listStorages": sensitive("remote SCP/SFTP targets with authentication fields"),
  "manage.listSwitchCredentials": sensitive("switch login identities"),
  "manage.getDefaultSwitchCredentials": sensitive("switch login identities"),
  "manage.getCredentialDetails": sensitive("switch login identities"),
  "manage.getRobotSwitchCredentials": sensitive("automation credentials"),
  "onemanage.getApicData": sensitive("raw APIC proxy: any APIC path"),
  "orchestrator.listSites": sensitive("site objects include the APIC password"),
  "orchestrator.listSiteById": sensitive("site object includes the APIC password"),
  "orchestrator.listAllSites": sensitive("review: v2 site objects include the APIC password"),
  "orchestrator.listSitesById": sensitive("review: v2 site object includes the APIC password"),
  "orchestrator.getUsers": sensitive("review: user directory, like infra listLocalUsers"),
  "orchestrator.getUser": sensitive("review: user directory, like infra getLocalUserByID"),
  "orchestrator.getBackupRecords": sensitive("review: inventory of backups, like infra listBackups"),
  "orchestrator.getImageDownloadPolicy": sensitive("review: includes identity private key and passphrase"),
  "infra.getStorage": sensitive("review: one remote storage target with authentication fields, like listStorages"),
  "infra.listLoginDomains": sensitive("review: login domains carry RADIUS/LDAP/OIDC secrets"),
  "infra.getLoginDomainByName": sensitive("review: login domain carries RADIUS/LDAP/OIDC secrets"),

  // Raw APIC proxy writes: the path is chosen by the caller, so anything may happen.
  "onemanage.createApicData": destructive("raw APIC proxy: POST to any APIC path"),
  "onemanage.deleteApicData": destructive("raw APIC proxy: DELETE of any APIC path"),

  // §8.2 GETs that change state (Orchestrator), and two more found in review.
  "orchestrator.syncVersion": write("GET that updates the APIC version of all sites"),
  "orchestrator.resync": write("GET that re-pushes all configuration to every cloud APIC site"),
  "orchestrator.forcedClear": destructive(
    "review: GET that recreates and pushes all configuration to every cloud APIC site",
  ),
  "orchestrator.cloneTemplate": write("review: GET that clones a template"),

  // Writes whose words sound destructive but that only plan, report or configure.
  "analyze.createFabricUpgradeReport": write("review: creates an upgrade-readiness report"),
  "analyze.createPostUpgradeAnalysis": write("review: starts a post-upgrade analysis report"),
  "analyze.createRerunPreUpgradeAnalysis": write("review: reruns a pre-upgrade analysis report"),
  "manage.executeSoftwareUpgradeAnalysisReport": write("review: reruns the software upgrade analysis report"),
  "manage.replaceFabricDeploymentFreezeMode": write("review: toggles deployment freeze; deploys nothing"),
  "manage.executeSuspendFabricAlerts": write("review: suspends alerts, not the fabric"),

  // Writes that sound mild but change running software.
  "manage.createSoftwareUpdate": destructive("review: starts the software update (upgrade) of switches"),
  "infra.executeDisableService": destructive("review: disables an ND service"),

  // §8.3 POSTs that are really reads.
  "manage.executeSwitchConfigurationPreview": read("configuration preview; changes nothing"),
  "manage.listComplianceAnomalyRuleObjectSelectorPreviewResults": read("object-selector query preview"),
  "manage.listComplianceAnomalyRuleObjectSelectorPreviewResultTemplate": read("object-selector query preview"),
  "orchestrator.getViewFirmwareFirmwareAttributes": read("lists images common to sites"),
  "manage.executeValidateSwitchCredentials": sensitive("logs into the switch with stored credentials"),
};
