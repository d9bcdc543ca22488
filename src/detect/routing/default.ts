/**
 * The default logsource routing and field mapping. `default-logsources.yaml` next to this file
 * holds the same configuration (written by `write-default-yaml.ts`; a test checks they agree),
 * for operators to read, copy and extend.
 *
 * Sources: SigmaHQ's logsource configuration for its test runner (`tests/thor.yml`: channel and
 * EventID per category, field renames for Security 4688 and Defender), pySigma's Windows service →
 * channel table (`sigma/pipelines/common.py`) and its Sysmon category → EventID table
 * (pySigma-pipeline-sysmon), and Vigil's normalisers (which ECS paths they fill).
 *
 * Coverage:
 *  - Windows, any event (`product: windows`), and per service (security, system, sysmon, ...:
 *    service → channel).
 *  - Sysmon categories (process_creation, network_connection, image_load, file_event, ...; see
 *    SYSMON below); process_creation also from Security 4688 with its field renames; antivirus
 *    from Defender detections.
 *  - PowerShell: ps_module (4103), ps_script (4104) on the Operational and PowerShell Core channels;
 *    ps_classic_start (400), ps_classic_provider_start (600), ps_classic_script (800) on
 *    "Windows PowerShell".
 *  - Linux: any (syslog, auditd, Sysmon for Linux, ECS host.os.type), auth, sshd, sudo, cron,
 *    syslog, auditd, clamav, vsftpd, guacamole; process_creation, network_connection,
 *    file_event, file_delete, process_termination, raw_access_thread, sysmon_status/error from
 *    Sysmon for Linux; process_creation also from Auditbeat / ECS process events.
 *  - macOS process_creation from ECS process events.
 *  - Web servers (`category: webserver`, `service: apache`, `service: nginx`).
 *  - AWS CloudTrail (original record field names).
 *  - Firewalls whose syslog Vigil has no parser for, recognised by their message text: Cisco ASA /
 *    FTD (`product: cisco, service: asa`), FortiGate key=value logs (`product: fortigate, service:
 *    event`, as SigmaHQ's FortiGate rules name it), PAN-OS CSV logs (`product: paloalto`). Rules
 *    for them match the text (keywords or `message`), since no fields are extracted.
 * Not mapped (reported as unsupported): Windows file_access / file_rename (Kernel-File ETW),
 * proxy, firewall, dns, cloud services other than CloudTrail, other network devices, applications.
 */
import type { BranchConfig, ConditionSpec, LogsourceMappingConfig, RoutingConfig } from './config.ts';

const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';
const LINUX_SYSMON_CHANNEL = 'Linux-Sysmon/Operational';
const PS_CHANNELS = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];
const PS_CLASSIC_CHANNEL = 'Windows PowerShell';
const DEFENDER_CHANNEL = 'Microsoft-Windows-Windows Defender/Operational';

const one = <T>(v: T[]): T | T[] => (v.length === 1 ? v[0] : v);

/** Sysmon category → EventIDs (pySigma-pipeline-sysmon, SigmaHQ thor.yml), with extra conditions. */
const SYSMON: Array<[category: string, ids: number[], extra?: Record<string, ConditionSpec>]> = [
  ['process_creation', [1]],
  ['file_change', [2]],
  ['network_connection', [3]],
  ['sysmon_status', [4, 16]],
  ['process_termination', [5]],
  ['driver_load', [6]],
  ['image_load', [7]],
  ['create_remote_thread', [8]],
  ['raw_access_thread', [9]],
  ['process_access', [10]],
  ['file_event', [11]],
  ['registry_add', [12], { 'winlog.event_data.EventType': 'CreateKey' }],
  ['registry_delete', [12], { 'winlog.event_data.EventType': ['DeleteKey', 'DeleteValue'] }],
  ['registry_set', [13]],
  ['registry_rename', [14]],
  ['registry_event', [12, 13, 14]],
  ['create_stream_hash', [15]],
  ['pipe_created', [17, 18]],
  ['wmi_event', [19, 20, 21]],
  ['dns_query', [22]],
  ['file_delete', [23, 26]],
  ['clipboard_change', [24]],
  ['clipboard_capture', [24]],
  ['process_tampering', [25]],
  ['file_delete_detected', [26]],
  ['file_block_executable', [27]],
  ['file_block_shredding', [28]],
  ['file_executable_detected', [29]],
  ['sysmon_error', [255]],
];

/** Sysmon for Linux: the event types it emits. */
const LINUX_SYSMON: Array<[category: string, ids: number[]]> = [
  ['process_creation', [1]],
  ['network_connection', [3]],
  ['sysmon_status', [4, 16]],
  ['process_termination', [5]],
  ['raw_access_thread', [9]],
  ['file_event', [11]],
  ['file_delete', [23]],
  ['sysmon_error', [255]],
];

/** Windows service → channel(s) (pySigma common.py, SigmaHQ thor.yml). */
const WINDOWS_SERVICES: Record<string, string[]> = {
  security: ['Security'],
  application: ['Application'],
  system: ['System'],
  sysmon: [SYSMON_CHANNEL],
  powershell: PS_CHANNELS,
  'powershell-classic': [PS_CLASSIC_CHANNEL],
  taskscheduler: ['Microsoft-Windows-TaskScheduler/Operational'],
  wmi: ['Microsoft-Windows-WMI-Activity/Operational'],
  'dns-server': ['DNS Server'],
  'dns-server-audit': ['Microsoft-Windows-DNS-Server/Audit'],
  'dns-server-analytic': ['Microsoft-Windows-DNS-Server/Analytical'],
  'driver-framework': ['Microsoft-Windows-DriverFrameworks-UserMode/Operational'],
  ntlm: ['Microsoft-Windows-NTLM/Operational'],
  dhcp: ['Microsoft-Windows-DHCP-Server/Operational'],
  'msexchange-management': ['MSExchange Management'],
  applocker: [
    'Microsoft-Windows-AppLocker/MSI and Script',
    'Microsoft-Windows-AppLocker/EXE and DLL',
    'Microsoft-Windows-AppLocker/Packaged app-Deployment',
    'Microsoft-Windows-AppLocker/Packaged app-Execution',
  ],
  'printservice-admin': ['Microsoft-Windows-PrintService/Admin'],
  'printservice-operational': ['Microsoft-Windows-PrintService/Operational'],
  'codeintegrity-operational': ['Microsoft-Windows-CodeIntegrity/Operational'],
  'smbclient-security': ['Microsoft-Windows-SmbClient/Security'],
  'smbclient-connectivity': ['Microsoft-Windows-SmbClient/Connectivity'],
  'smbserver-connectivity': ['Microsoft-Windows-SMBServer/Connectivity'],
  'firewall-as': ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'],
  'bits-client': ['Microsoft-Windows-Bits-Client/Operational'],
  windefend: [DEFENDER_CHANNEL],
  'terminalservices-localsessionmanager': ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'],
  'microsoft-servicebus-client': [
    'Microsoft-ServiceBus-Client',
    'Microsoft-ServiceBus-Client/Admin',
    'Microsoft-ServiceBus-Client/Operational',
  ],
  ldap: ['Microsoft-Windows-LDAP-Client/Debug'],
  ldap_debug: ['Microsoft-Windows-LDAP-Client/Debug'],
  'security-mitigations': [
    'Microsoft-Windows-Security-Mitigations/Kernel Mode',
    'Microsoft-Windows-Security-Mitigations/User Mode',
  ],
  'diagnosis-scripted': ['Microsoft-Windows-Diagnosis-Scripted/Operational'],
  'shell-core': ['Microsoft-Windows-Shell-Core/Operational'],
  openssh: ['OpenSSH/Operational'],
  bitlocker: ['Microsoft-Windows-BitLocker/BitLocker Management'],
  vhdmp: ['Microsoft-Windows-VHDMP/Operational'],
  'appxdeployment-server': ['Microsoft-Windows-AppXDeploymentServer/Operational'],
  'lsa-server': ['Microsoft-Windows-LSA/Operational'],
  'appxpackaging-om': ['Microsoft-Windows-AppxPackaging/Operational'],
  'dns-client': ['Microsoft-Windows-DNS Client Events/Operational'],
  'appmodel-runtime': ['Microsoft-Windows-AppModel-Runtime/Admin'],
  capi2: ['Microsoft-Windows-CAPI2/Operational'],
  'certificateservicesclient-lifecycle-system': ['Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational'],
  'kernel-shimengine': ['Microsoft-Windows-Kernel-ShimEngine/Operational', 'Microsoft-Windows-Kernel-ShimEngine/Diagnostic'],
  'application-experience': [
    'Microsoft-Windows-Application-Experience/Program-Telemetry',
    'Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant',
  ],
  ntfs: ['Microsoft-Windows-Ntfs/Operational'],
  'hyper-v-worker': ['Microsoft-Windows-Hyper-V-Worker', 'Microsoft-Windows-Hyper-V-Worker-Admin'],
  'kernel-event-tracing': ['Microsoft-Windows-Kernel-EventTracing', 'Microsoft-Windows-Kernel-EventTracing/Admin'],
  sense: ['Microsoft-Windows-SENSE/Operational'],
  'iis-configuration': ['Microsoft-IIS-Configuration/Operational'],
};

/** Linux syslog program names per Sigma service. `(`-suffixed forms are PAM tags such as `sshd(pam_unix)`. */
const LINUX_SERVICES: Record<string, { apps: string[]; prefixes?: string[] }> = {
  sshd: { apps: ['sshd', 'sshd-session'], prefixes: ['sshd('] },
  sudo: { apps: ['sudo'], prefixes: ['sudo('] },
  cron: { apps: ['cron', 'crond', 'anacron'], prefixes: ['crond(', 'cron('] },
  clamav: { apps: ['clamd', 'freshclam', 'clamav', 'clamav-milter'] },
  vsftpd: { apps: ['vsftpd'] },
  guacamole: { apps: ['guacd', 'guacamole'] },
};

const AUTH_APPS = [
  'sshd', 'sshd-session', 'sudo', 'su', 'login', 'systemd-logind', 'passwd', 'chpasswd', 'chage', 'useradd',
  'userdel', 'usermod', 'groupadd', 'groupdel', 'groupmod', 'gpasswd', 'newgrp', 'polkitd', 'pkexec',
  'unix_chkpwd', 'gdm-password', 'lightdm', 'doas', 'dropbear',
];
const AUTH_PREFIXES = ['sshd(', 'su(', 'sudo(', 'login(', 'gdm(', 'passwd(', 'polkit-agent-helper-1(', 'systemd-logind('];

const winBranch = (channel: string | string[], ids?: number[], extra?: Record<string, ConditionSpec>): BranchConfig => ({
  conditions: {
    'winlog.channel': channel,
    ...(ids ? { 'winlog.event_id': one(ids) } : {}),
    ...(extra ?? {}),
  },
});

const SECURITY_4688_RENAME: Record<string, string> = {
  Image: 'NewProcessName',
  ParentImage: 'ParentProcessName',
  ProcessId: 'NewProcessId',
  ParentProcessId: 'ProcessId',
  LogonId: 'SubjectLogonId',
};

const logsources: LogsourceMappingConfig[] = [];

// ---- Windows ----------------------------------------------------------------------------------
logsources.push({
  id: 'windows',
  product: 'windows',
  fields: 'windows',
  description: 'Every Windows event log record (not Sysmon for Linux, which shares the format).',
  when: [{ conditions: { 'winlog.event_id': { exists: true }, 'winlog.channel': { not: LINUX_SYSMON_CHANNEL } } }],
});
for (const [service, channels] of Object.entries(WINDOWS_SERVICES)) {
  logsources.push({
    id: `windows/service/${service}`,
    product: 'windows',
    service,
    fields: 'windows',
    when: [winBranch(one(channels))],
  });
}
for (const [category, ids, extra] of SYSMON) {
  const when: BranchConfig[] = [winBranch(SYSMON_CHANNEL, ids, extra)];
  if (category === 'process_creation') {
    when.push({ ...winBranch('Security', [4688]), rename: SECURITY_4688_RENAME });
  }
  logsources.push({ id: `windows/${category}`, product: 'windows', category, fields: 'windows', when });
}
logsources.push(
  {
    id: 'windows/ps_module',
    product: 'windows',
    category: 'ps_module',
    fields: 'windows',
    when: [winBranch(PS_CHANNELS, [4103])],
  },
  {
    id: 'windows/ps_script',
    product: 'windows',
    category: 'ps_script',
    fields: 'windows',
    when: [winBranch(PS_CHANNELS, [4104])],
  },
  {
    id: 'windows/ps_classic_start',
    product: 'windows',
    category: 'ps_classic_start',
    fields: 'windows',
    when: [winBranch(PS_CLASSIC_CHANNEL, [400])],
  },
  {
    id: 'windows/ps_classic_provider_start',
    product: 'windows',
    category: 'ps_classic_provider_start',
    fields: 'windows',
    when: [winBranch(PS_CLASSIC_CHANNEL, [600])],
  },
  {
    id: 'windows/ps_classic_script',
    product: 'windows',
    category: 'ps_classic_script',
    fields: 'windows',
    when: [winBranch(PS_CLASSIC_CHANNEL, [800])],
  },
  {
    id: 'antivirus',
    category: 'antivirus',
    fields: 'windows',
    description: 'Microsoft Defender detections (SigmaHQ thor.yml), with its field names for Signature and Filename.',
    when: [
      {
        ...winBranch(DEFENDER_CHANNEL, [1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017, 1018, 1019, 1115, 1116, 1117]),
        rename: { Signature: ['ThreatName', 'Threat Name'], Filename: 'Path' },
      },
    ],
  },
);

// ---- Linux ------------------------------------------------------------------------------------
logsources.push({
  id: 'linux',
  product: 'linux',
  fields: 'linux',
  description: 'Syslog records, auditd, Sysmon for Linux, and ECS events from Linux hosts.',
  when: [
    { conditions: { 'log.syslog': { exists: true } } },
    { conditions: { 'event.module': 'auditd' } },
    { conditions: { 'host.os.type': 'linux' } },
    { conditions: { 'winlog.channel': LINUX_SYSMON_CHANNEL }, fields: 'windows' },
  ],
});
logsources.push({
  id: 'linux/service/auth',
  product: 'linux',
  service: 'auth',
  fields: 'linux',
  description: 'What /var/log/auth.log holds: the auth and authpriv facilities and the authentication programs.',
  when: [
    { conditions: { 'log.syslog.facility.name': ['auth', 'authpriv'] } },
    { conditions: { 'log.syslog.appname': AUTH_APPS } },
    { conditions: { 'log.syslog.appname': { startswith: AUTH_PREFIXES } } },
  ],
});
for (const [service, { apps, prefixes }] of Object.entries(LINUX_SERVICES)) {
  const when: BranchConfig[] = [{ conditions: { 'log.syslog.appname': one(apps) } }];
  if (prefixes) when.push({ conditions: { 'log.syslog.appname': { startswith: one(prefixes) } } });
  logsources.push({ id: `linux/service/${service}`, product: 'linux', service, fields: 'linux', when });
}
logsources.push(
  {
    id: 'linux/service/syslog',
    product: 'linux',
    service: 'syslog',
    fields: 'linux',
    when: [{ conditions: { 'log.syslog': { exists: true } } }],
  },
  {
    id: 'linux/service/auditd',
    product: 'linux',
    service: 'auditd',
    fields: 'auditd',
    description: 'Auditbeat / Filebeat auditd events, audit records sent as JSON, and raw audit lines.',
    when: [
      { conditions: { 'event.module': 'auditd' } },
      { conditions: { 'log.syslog.appname': ['auditd', 'audispd', 'audisp-syslog', 'audit'] } },
      { conditions: { msg: { startswith: 'audit(' }, type: { exists: true } } },
      { conditions: { message: { startswith: 'type=' } } },
    ],
  },
);
for (const [category, ids] of LINUX_SYSMON) {
  const when: BranchConfig[] = [{ conditions: { 'winlog.channel': LINUX_SYSMON_CHANNEL, 'winlog.event_id': one(ids) } }];
  if (category === 'process_creation') {
    when.push(
      { conditions: { 'event.module': 'auditd', 'event.action': ['executed', 'execve'] }, fields: 'ecs-process' },
      { conditions: { 'host.os.type': 'linux', 'event.category': 'process', 'event.type': 'start' }, fields: 'ecs-process' },
    );
  }
  logsources.push({ id: `linux/${category}`, product: 'linux', category, fields: 'windows', when });
}

// ---- macOS ------------------------------------------------------------------------------------
logsources.push({
  id: 'macos/process_creation',
  product: 'macos',
  category: 'process_creation',
  fields: 'ecs-process',
  when: [{ conditions: { 'host.os.type': 'macos', 'event.category': 'process', 'event.type': 'start' } }],
});

// ---- Web servers ------------------------------------------------------------------------------
const WEB_DATASETS = ['apache.access', 'nginx.access', 'iis.access', 'haproxy.log', 'traefik.access', 'tomcat.access'];
logsources.push(
  {
    id: 'webserver',
    category: 'webserver',
    fields: 'webserver',
    description: 'Web server access logs: Filebeat/ECS datasets, ECS web events, or any event with a request method and URL.',
    when: [
      { conditions: { 'event.dataset': WEB_DATASETS } },
      { conditions: { 'event.category': 'web' } },
      { conditions: { 'http.request.method': { exists: true }, 'url.original': { exists: true } } },
    ],
  },
  {
    id: 'service/apache',
    service: 'apache',
    fields: 'webserver',
    when: [{ conditions: { 'event.module': 'apache' } }, { conditions: { 'event.dataset': ['apache.access', 'apache.error'] } }],
  },
  {
    id: 'service/nginx',
    service: 'nginx',
    fields: 'webserver',
    when: [{ conditions: { 'event.module': 'nginx' } }, { conditions: { 'event.dataset': ['nginx.access', 'nginx.error'] } }],
  },
);

// ---- Network devices (syslog text; no parser extracts their fields) ---------------------------
/**
 * Cisco's timestamp is followed by a colon when no device id is logged
 * (`<166>Mar 03 2026 02:13:05: %ASA-5-111008: ...`, `<166>2026-03-03T02:13:05Z: %ASA-...`): the
 * syslog parser does not take it as a header timestamp, so it stays at the start of the message.
 */
const UNPARSED_TIMESTAMP = ['Jan ', 'Feb ', 'Mar ', 'Apr ', 'May ', 'Jun ', 'Jul ', 'Aug ', 'Sep ', 'Oct ', 'Nov ', 'Dec ', '19', '20'];
logsources.push(
  {
    id: 'cisco/service/asa',
    product: 'cisco',
    service: 'asa',
    fields: 'original',
    description: 'Cisco ASA / FTD syslog (%ASA-n-nnnnnn / %FTD-n-nnnnnn), relayed (the id as program name) or sent directly.',
    when: [
      { conditions: { 'log.syslog.appname': { startswith: ['%ASA-', '%FTD-'] } } },
      { conditions: { message: { startswith: ['%ASA-', '%FTD-', ': %ASA-', ': %FTD-'] } } },
      {
        conditions: {
          'log.syslog.priority': { exists: true },
          'log.syslog.hostname': { exists: false },
          'log.syslog.appname': { exists: false },
          message: { startswith: UNPARSED_TIMESTAMP },
        },
      },
    ],
  },
  {
    id: 'fortigate/service/event',
    product: 'fortigate',
    service: 'event',
    fields: 'original',
    description: 'FortiGate key=value logs (`date=... time=... logid=... type=... subtype=...`); traffic and UTM logs look the same at the start, so rules check type / subtype / logid themselves.',
    when: [{ conditions: { message: { startswith: 'date=' } } }],
  },
  {
    id: 'paloalto',
    product: 'paloalto',
    fields: 'original',
    description: 'PAN-OS syslog in the default CSV format (`1,receive time,serial,TYPE,...`, TYPE being TRAFFIC, THREAT, CONFIG, SYSTEM, ...).',
    when: [{ conditions: { message: { startswith: '1,20' } } }],
  },
);

// ---- Cloud ------------------------------------------------------------------------------------
logsources.push({
  id: 'aws/cloudtrail',
  product: 'aws',
  service: 'cloudtrail',
  fields: 'original',
  description: 'CloudTrail records as AWS writes them: Sigma uses their own field names.',
  when: [{ conditions: { 'original.eventSource': { exists: true }, 'original.awsRegion': { exists: true } } }],
});

export const DEFAULT_ROUTING: RoutingConfig = {
  fieldsets: {
    windows: {
      prefixes: ['winlog.event_data.'],
      map: {
        EventID: 'winlog.event_id',
        Channel: 'winlog.channel',
        Provider_Name: 'winlog.provider_name',
        Provider_Guid: 'winlog.provider_guid',
        Computer: 'winlog.computer_name',
        EventRecordID: 'winlog.record_id',
        Level: ['original.Level', 'winlog.level'],
        Task: ['original.Task', 'winlog.task'],
        Opcode: ['original.Opcode', 'winlog.opcode'],
        Keywords: ['original.Keywords', 'winlog.keywords'],
        Version: ['original.Version', 'winlog.version'],
        Security_UserID: 'winlog.user.identifier',
        Execution_ProcessID: 'winlog.process.pid',
        Execution_ThreadID: 'winlog.process.thread.id',
        Correlation_ActivityID: 'winlog.activity_id',
      },
    },
    linux: {
      map: {
        User: 'user.name',
        USER: ['user.effective.name', 'user.name'],
        COMMAND: 'process.command_line',
        PWD: 'process.working_directory',
        Hostname: 'host.name',
        Computer: 'host.name',
        ProcessName: ['log.syslog.appname', 'process.name'],
        ProcessId: ['process.pid', 'log.syslog.procid'],
        SourceIp: 'source.ip',
        SourcePort: 'source.port',
      },
    },
    auditd: {
      prefixes: ['auditd.data.'],
      map: {
        type: ['type', 'auditd.message_type'],
        SYSCALL: ['SYSCALL', 'syscall', 'auditd.data.syscall'],
        exe: ['exe', 'process.executable'],
        comm: ['comm', 'process.name'],
        key: ['key', 'auditd.data.key'],
        name: ['name', 'file.path'],
        cwd: ['cwd', 'process.working_directory'],
        uid: ['uid', 'user.id'],
        euid: ['euid', 'user.effective.id'],
        pid: ['pid', 'process.pid'],
        ppid: ['ppid', 'process.parent.pid'],
      },
    },
    'ecs-process': {
      map: {
        Image: 'process.executable',
        CommandLine: ['process.command_line', 'process.title'],
        ParentImage: 'process.parent.executable',
        ParentCommandLine: 'process.parent.command_line',
        User: 'user.name',
        CurrentDirectory: 'process.working_directory',
        ProcessId: 'process.pid',
        ParentProcessId: 'process.parent.pid',
        LogonId: 'auditd.session',
        OriginalFileName: 'process.pe.original_file_name',
      },
    },
    webserver: {
      map: {
        'cs-method': 'http.request.method',
        'c-uri': ['url.original', 'url.path'],
        'cs-uri-query': ['url.original', 'url.query'],
        'cs-uri-stem': ['url.path', 'url.original'],
        'c-ip': ['source.ip', 'client.ip'],
        'c-useragent': 'user_agent.original',
        'cs-user-agent': 'user_agent.original',
        'cs-referer': 'http.request.referrer',
        'cs-referrer': 'http.request.referrer',
        'cs-username': 'user.name',
        'cs-host': ['url.domain', 'destination.domain'],
        'cs-content-type': 'http.request.mime_type',
        'cs-version': 'http.version',
        'cs-bytes': 'http.request.bytes',
        'sc-status': 'http.response.status_code',
        'sc-bytes': 'http.response.bytes',
        's-ip': ['destination.ip', 'server.ip'],
        's-port': ['destination.port', 'server.port'],
        's-computername': 'host.name',
      },
    },
    original: { map: {} },
  },
  logsources,
};
