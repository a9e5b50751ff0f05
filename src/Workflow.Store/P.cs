namespace Workflow.Store; public static class Placeholder {}
