//! Type erasure and argument validation for tools.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use msp_agent_policy::{ActionClass, Tier};
use serde_json::Value;

use super::{Reconciled, TargetRef, Tool, ToolContext, ToolError};
use crate::capability::ToolSpec;
use chrono::{DateTime, Utc};

type ArgBox = Box<dyn Any + Send + Sync>;

/// Object-safe face of a [`Tool`]. Private: only the gate executes.
#[async_trait]
pub(crate) trait ErasedTool: Send + Sync {
    fn name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    fn class(&self) -> ActionClass;
    fn default_tier(&self) -> Tier;
    fn schema(&self) -> &Value;
    fn validate(&self, args: &Value) -> Result<(ArgBox, Vec<TargetRef>), ToolError>;
    async fn run(&self, cx: &ToolContext<'_>, args: ArgBox) -> Result<Value, ToolError>;
    async fn reconcile(
        &self,
        cx: &ToolContext<'_>,
        args: &ArgBox,
        since: DateTime<Utc>,
    ) -> Result<Reconciled, ToolError>;
}

struct Erased<T: Tool> {
    tool: T,
    schema: Value,
}

fn schema_for<T: schemars::JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("$schema");
        obj.remove("title");
    }
    schema
}

#[async_trait]
impl<T: Tool> ErasedTool for Erased<T> {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn description(&self) -> &'static str {
        T::DESCRIPTION
    }
    fn class(&self) -> ActionClass {
        T::CLASS
    }
    fn default_tier(&self) -> Tier {
        T::DEFAULT_TIER
    }
    fn schema(&self) -> &Value {
        &self.schema
    }

    fn validate(&self, args: &Value) -> Result<(ArgBox, Vec<TargetRef>), ToolError> {
        let invalid = |path: String, reason: String| ToolError::InvalidArguments {
            tool: T::NAME.to_owned(),
            path,
            reason,
        };
        // Unknown top-level fields, for argument types that do not deny them themselves.
        if let (Some(given), Some(props)) = (
            args.as_object(),
            self.schema.get("properties").and_then(Value::as_object),
        ) && let Some(extra) = given.keys().find(|k| !props.contains_key(*k))
        {
            return Err(invalid(extra.clone(), format!("unknown field `{extra}`")));
        }
        let parsed: T::Args = serde_path_to_error::deserialize(args)
            .map_err(|e| invalid(e.path().to_string(), e.inner().to_string()))?;
        let targets = self.tool.targets(&parsed);
        Ok((Box::new(parsed), targets))
    }

    async fn run(&self, cx: &ToolContext<'_>, args: ArgBox) -> Result<Value, ToolError> {
        let args = args.downcast::<T::Args>().map_err(|_| {
            ToolError::Precondition(format!(
                "internal: arguments of another tool given to `{}`",
                T::NAME
            ))
        })?;
        let out = self.tool.run(cx, *args).await?;
        serde_json::to_value(out)
            .map_err(|e| ToolError::Precondition(format!("output of `{}`: {e}", T::NAME)))
    }

    async fn reconcile(
        &self,
        cx: &ToolContext<'_>,
        args: &ArgBox,
        since: DateTime<Utc>,
    ) -> Result<Reconciled, ToolError> {
        let args = args.downcast_ref::<T::Args>().ok_or_else(|| {
            ToolError::Precondition(format!(
                "internal: arguments of another tool given to `{}`",
                T::NAME
            ))
        })?;
        self.tool.reconcile(cx, args, since).await
    }
}

/// A tool call whose arguments passed validation; the only thing the gate runs.
pub struct ValidatedCall {
    pub(crate) tool: Arc<dyn ErasedTool>,
    pub(crate) args: ArgBox,
    /// The arguments as given (valid), for audit records and approval cards.
    pub args_json: Value,
    /// Users and groups the call changes.
    pub targets: Vec<TargetRef>,
}

impl ValidatedCall {
    /// Tool (action) name.
    pub fn name(&self) -> &'static str {
        self.tool.name()
    }
    /// Read or write.
    pub fn class(&self) -> ActionClass {
        self.tool.class()
    }

    /// Take the parsed arguments out to run the call (it cannot run twice).
    pub(crate) fn take_args(&mut self) -> ArgBox {
        std::mem::replace(&mut self.args, Box::new(()))
    }

    /// Did this call, started at `since` and interrupted, take effect? See
    /// [`Tool::reconcile`].
    pub async fn reconcile(
        &self,
        cx: &ToolContext<'_>,
        since: DateTime<Utc>,
    ) -> Result<Reconciled, ToolError> {
        self.tool.reconcile(cx, &self.args, since).await
    }
}

impl std::fmt::Debug for ValidatedCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidatedCall")
            .field("tool", &self.name())
            .field("args", &self.args_json)
            .finish()
    }
}

/// The tools an agent may use, by name.
///
/// ```
/// use msp_agent_core::tool::ToolRegistry;
/// let tools = ToolRegistry::builtin();
/// let err = tools.validate("reset_password", &serde_json::json!({"user": 42})).unwrap_err();
/// assert!(err.to_string().contains("at `user`"), "{err}");
/// ```
#[derive(Clone, Default)]
pub struct ToolRegistry {
    tools: BTreeMap<&'static str, Arc<dyn ErasedTool>>,
}

impl std::fmt::Debug for ToolRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.tools.keys()).finish()
    }
}

impl ToolRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry with every built-in tool.
    pub fn builtin() -> Self {
        let mut r = Self::new();
        super::builtin::register_all(&mut r);
        r
    }

    /// Add a tool, replacing any tool of the same name (to override a built-in).
    pub fn register<T: Tool>(&mut self, tool: T) -> &mut Self {
        let erased = Erased {
            tool,
            schema: schema_for::<T::Args>(),
        };
        self.tools.insert(T::NAME, Arc::new(erased));
        self
    }

    /// Names of the registered tools, sorted.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.tools.keys().copied()
    }

    /// Class and default tier of each tool, to declare them to the policy.
    pub fn actions(&self) -> impl Iterator<Item = (&'static str, ActionClass, Tier)> + '_ {
        self.tools
            .values()
            .map(|t| (t.name(), t.class(), t.default_tier()))
    }

    /// Tool specs (name, description, JSON Schema of the arguments) for model tool calling.
    pub fn specs(&self) -> Vec<ToolSpec> {
        self.tools
            .values()
            .map(|t| ToolSpec {
                name: t.name().to_owned(),
                description: t.description().to_owned(),
                parameters: t.schema().clone(),
            })
            .collect()
    }

    /// JSON Schema of one tool's arguments.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.tools.get(name).map(|t| t.schema())
    }

    /// Validate model- or playbook-supplied arguments for a tool. Nothing runs.
    pub fn validate(&self, name: &str, args: &Value) -> Result<ValidatedCall, ToolError> {
        let tool = self
            .tools
            .get(name)
            .ok_or_else(|| ToolError::UnknownTool(name.to_owned()))?;
        let (parsed, targets) = tool.validate(args)?;
        Ok(ValidatedCall {
            tool: tool.clone(),
            args: parsed,
            args_json: args.clone(),
            targets,
        })
    }
}
