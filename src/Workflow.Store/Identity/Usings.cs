// The roles, the access policy and its refusal, asked by the command shell and the readers of the store.
global using Workflow.Core.Access;
