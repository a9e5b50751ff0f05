// The roles and the access policy, used by tests of every feature.
global using Workflow.Core.Access;
