/**
 * Entry point of the hardened-cluster Pulumi project (`pulumi up` with the Node.js language
 * host). The program itself is `hardenedClusterProgram` (program.ts), which the Automation API
 * runner (`npm run deploy`) also runs; its return value is the stack's outputs.
 */
import { hardenedClusterProgram } from "./program";

export = hardenedClusterProgram();
