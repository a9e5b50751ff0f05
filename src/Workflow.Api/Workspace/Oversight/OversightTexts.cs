namespace Workflow.Api.Workspace.Oversight;

/// <summary>
/// The resources <c>OversightTexts.resx</c> (English) and <c>OversightTexts.lo.resx</c> (Lao): every word of the oversight
/// pages (case search, the case as it was, the queries, the alerts).
/// </summary>
public sealed class OversightTexts;
