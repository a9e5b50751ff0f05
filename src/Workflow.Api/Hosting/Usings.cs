// The roles, the access policy and its refusal are used by most endpoints.
global using Workflow.Core.Access;
