/** Pod security rules (PS-xx), in catalog order. */
import { Rule } from "../types";
import { baselineCapabilities, dangerousCapabilities, dropAll, dropNetRaw, onlyNetBindService } from "./capabilities";
import {
    appArmor,
    linuxHardening,
    privilegedPorts,
    procMount,
    readOnlyRootFs,
    seccompRequired,
    seccompUnconfined,
    seLinux,
    sysctls,
    volumeTypes,
} from "./hardening";
import {
    hostIpc,
    hostNetwork,
    hostPathVolume,
    hostPid,
    hostPort,
    hostProcess,
    probeHost,
    runtimeSocket,
    sensitiveHostPath,
    writableHostPath,
} from "./host";
import { privilegedContainer } from "./ps01-privileged";
import { highIds, privilegeEscalation, rootGroup, runAsNonRoot, runAsUserRoot } from "./users";

export const POD_RULES: readonly Rule[] = [
    privilegedContainer,
    hostPid,
    hostIpc,
    hostNetwork,
    hostPathVolume,
    sensitiveHostPath,
    runtimeSocket,
    writableHostPath,
    hostPort,
    hostProcess,
    probeHost,
    baselineCapabilities,
    dangerousCapabilities,
    dropNetRaw,
    dropAll,
    onlyNetBindService,
    privilegeEscalation,
    runAsNonRoot,
    runAsUserRoot,
    rootGroup,
    highIds,
    readOnlyRootFs,
    seccompUnconfined,
    seccompRequired,
    appArmor,
    seLinux,
    procMount,
    sysctls,
    volumeTypes,
    linuxHardening,
    privilegedPorts,
];
