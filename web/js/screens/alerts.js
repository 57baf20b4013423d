// Placeholder: the alerts screen is built in phase 2 (see web/README.md for the conventions).
import { notBuilt } from "./not-built.js";

export default notBuilt("alerts");
